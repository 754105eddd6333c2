import {
  AutocompleteArg,
  autocompleteData,
  AutocompleteData,
  AutocompleteListItem,
  AutocompleteSuggestion,
  CommandView,
  SYSTEM_ADMIN_ROLE,
} from './command.model.js';

/**
 * Suggestions for what the user has typed after the slash (app/command_autocomplete.go
 * GetSuggestions): the commands are walked in trigger order; a command without autocomplete data
 * gets the one its hint and description make. Built-ins have no dynamic lists, so only text and
 * static-list arguments are parsed.
 */
export function suggestionsFor(commands: CommandView[], userInput: string, roleId: string): AutocompleteSuggestion[] {
  const sorted = [...commands].sort((a, b) => compare(a.trigger.toLowerCase(), b.trigger.toLowerCase()));
  const data = sorted.map((c) => c.autocomplete_data ?? autocompleteData(c.trigger, c.auto_complete_hint, c.auto_complete_desc));
  const found = walk(data, '', userInput, roleId);
  return found.map((s) => ({ ...s, IconData: sorted.find((c) => s.Complete.startsWith(c.trigger))?.autocomplete_icon_data ?? '' }));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Suggestion = Omit<AutocompleteSuggestion, 'IconData'>;
/** What parsing one argument (or a run of them) found: suggestions, or how far the input got. */
interface Parsed {
  found: boolean;
  parsed: string;
  rest: string;
  suggestions: Suggestion[];
}

function visibleTo(command: AutocompleteData, roleId: string): boolean {
  return command.RoleID === roleId || roleId === SYSTEM_ADMIN_ROLE || roleId === '';
}

/** getSuggestions: a trigger still being typed, or a whole one followed by its arguments or subcommands. */
function walk(commands: AutocompleteData[], parsed: string, toParse: string, roleId: string): Suggestion[] {
  const space = toParse.indexOf(' ');
  if (space === -1) {
    return commands
      .filter((c) => c.Trigger.startsWith(toParse.toLowerCase()) && visibleTo(c, roleId))
      .map((c) => ({ Complete: parsed + c.Trigger, Suggestion: c.Trigger, Description: c.HelpText, Hint: c.Hint }));
  }
  const out: Suggestion[] = [];
  const word = toParse.slice(0, space).toLowerCase();
  for (const command of commands) {
    if (command.Trigger !== word || !visibleTo(command, roleId)) continue;
    const rest = toParse.slice(space + 1);
    const done = parsed + toParse.slice(0, space + 1);
    if (command.Arguments.length === 0) {
      out.push(...walk(command.SubCommands, done, rest, roleId));
      continue;
    }
    const result = parseArguments(command.Arguments, done, rest);
    if (result.found) out.push(...result.suggestions);
  }
  return out;
}

/** parseArguments: required arguments in turn; an optional one both ways, typed and skipped. */
function parseArguments(args: AutocompleteArg[], parsed: string, rest: string): Parsed {
  if (args.length === 0) return { found: false, parsed, rest, suggestions: [] };
  const [first, ...others] = args;
  if (first.Required) {
    const one = parseArgument(first, parsed, rest);
    return one.found ? one : parseArguments(others, one.parsed, one.rest);
  }
  const suggestions: Suggestion[] = [];
  let withIt = parseArgument(first, parsed, rest);
  if (withIt.found) {
    suggestions.push(...withIt.suggestions);
  } else {
    withIt = parseArguments(others, withIt.parsed, withIt.rest);
    if (withIt.found) suggestions.push(...withIt.suggestions);
  }
  const without = parseArguments(others, parsed, rest);
  if (without.found) suggestions.push(...without.suggestions);
  if (withIt.found || without.found) return { found: true, parsed: parsed + rest, rest: '', suggestions };
  if (withIt.parsed !== parsed && withIt.rest !== rest) return { found: false, parsed: withIt.parsed, rest: withIt.rest, suggestions };
  return { ...without, suggestions };
}

function parseArgument(arg: AutocompleteArg, parsed: string, rest: string): Parsed {
  if (arg.Name !== '') {
    const named = parseNamed(arg, parsed, rest);
    if (named.found || named.rest === '') return named;
    parsed = named.parsed;
    rest = named.rest === ' ' ? '' : named.rest;
  }
  const result = arg.Type === 'TextInput' ? parseText(arg.Data.Hint, arg.HelpText, parsed, rest) : parseList(arg.Data.PossibleArguments, parsed, rest);
  return result.found ? result : { found: false, parsed: result.parsed, rest: result.rest, suggestions: [] };
}

/** `--name` of a named argument. */
function parseNamed(arg: AutocompleteArg, parsed: string, rest: string): Parsed {
  const input = rest.startsWith(' ') ? rest.slice(1) : rest;
  const flag = `--${arg.Name}`;
  const suggest = (complete: string): Parsed => ({
    found: true,
    parsed: parsed + rest,
    rest: '',
    suggestions: [{ Complete: complete, Suggestion: flag, Hint: '', Description: arg.HelpText }],
  });
  if (input === '') return suggest(parsed + rest + flag + ' ');
  if (flag.toLowerCase().startsWith(input.toLowerCase())) return suggest(parsed + rest + flag.slice(input.length) + ' ');
  if (!input.toLowerCase().startsWith(flag.toLowerCase() + ' ')) return { found: false, parsed: parsed + rest, rest: '', suggestions: [] };
  if (input.toLowerCase() === flag.toLowerCase() + ' ') return { found: false, parsed: parsed + flag + ' ', rest: ' ', suggestions: [] };
  return { found: false, parsed: parsed + flag + ' ', rest: input.slice(flag.length + 1), suggestions: [] };
}

/** A text argument: one word, or several in double quotes; the hint while it is being typed. */
function parseText(hint: string, helpText: string, parsed: string, rest: string): Parsed {
  const input = rest.startsWith(' ') ? rest.slice(1) : rest;
  const typing: Parsed = {
    found: true,
    parsed: parsed + rest,
    rest: '',
    suggestions: [{ Complete: parsed + rest, Suggestion: '', Hint: hint, Description: helpText }],
  };
  if (input === '') return typing;
  if (input[0] === '"') {
    const close = input.indexOf('"', 1);
    if (close === -1) return typing;
    const end = input[close + 1] === ' ' ? close + 2 : close + 1;
    return { found: false, parsed: parsed + input.slice(0, end), rest: input.slice(end), suggestions: [] };
  }
  const space = input.indexOf(' ');
  if (space === -1) return typing;
  return { found: false, parsed: parsed + input.slice(0, space + 1), rest: input.slice(space + 1), suggestions: [] };
}

/** parseListItems: a finished item moves on; otherwise the items the input begins. */
function parseList(items: AutocompleteListItem[], parsed: string, rest: string): Parsed {
  const input = rest.startsWith(' ') ? rest.slice(1) : rest;
  let longest = '';
  for (const item of items) {
    const candidate = item.Item + ' ';
    if (input.toLowerCase().startsWith(candidate.toLowerCase()) && longest.length < candidate.length) longest = candidate;
  }
  if (longest !== '') return { found: false, parsed: parsed + input.slice(0, longest.length), rest: input.slice(longest.length), suggestions: [] };
  const suggestions = items
    .filter((item) => item.Item.toLowerCase().startsWith(input.toLowerCase()))
    .map((item) => ({ Complete: parsed + item.Item, Suggestion: item.Item, Hint: item.Hint, Description: item.HelpText }));
  return { found: true, parsed: parsed + rest, rest: '', suggestions };
}
