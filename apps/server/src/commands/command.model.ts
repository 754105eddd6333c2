/**
 * Slash-command shapes as Mattermost puts them on the wire (model/command.go, command_response.go,
 * command_args.go, command_autocomplete.go).
 */

export const RESPONSE_IN_CHANNEL = 'in_channel';
export const RESPONSE_EPHEMERAL = 'ephemeral';

/** model.CommandResponse: every field is always present (no omitempty in Mattermost's struct). */
export interface CommandResponse {
  response_type: string;
  text: string;
  username: string;
  channel_id: string;
  icon_url: string;
  type: string;
  props: Record<string, unknown> | null;
  goto_location: string;
  trigger_id: string;
  skip_slack_parsing: boolean;
  attachments: unknown[] | null;
  extra_responses: CommandResponse[] | null;
}

export function commandResponse(fields: Partial<CommandResponse> = {}): CommandResponse {
  return {
    response_type: '',
    text: '',
    username: '',
    channel_id: '',
    icon_url: '',
    type: '',
    props: null,
    goto_location: '',
    trigger_id: '',
    skip_slack_parsing: false,
    attachments: null,
    extra_responses: null,
    ...fields,
  };
}

/** An ephemeral answer with this text: what most built-ins reply. */
export const ephemeral = (text: string): CommandResponse => commandResponse({ response_type: RESPONSE_EPHEMERAL, text });

/** What POST /commands/execute reads (model.CommandArgs), with what the server fills in. */
export interface CommandArgs {
  command: string;
  channel_id: string;
  team_id: string;
  root_id: string;
  parent_id: string;
  user_id: string;
  /** The site URL the request came through (Context.GetSiteURLHeader), for goto_location. */
  site_url: string;
  /** The signed trigger id of this run (GenerateTriggerId), for a custom command's integration. */
  trigger_id?: string;
}

/** model.AutocompleteData's JSON: Go field names, as the apps read them. */
export interface AutocompleteData {
  Trigger: string;
  Hint: string;
  HelpText: string;
  RoleID: string;
  Arguments: AutocompleteArg[];
  SubCommands: AutocompleteData[];
}

export interface AutocompleteListItem {
  Item: string;
  Hint: string;
  HelpText: string;
}

export type AutocompleteArg =
  | { Name: string; HelpText: string; Type: 'TextInput'; Required: boolean; Data: { Hint: string; Pattern: string } }
  | { Name: string; HelpText: string; Type: 'StaticList'; Required: boolean; Data: { PossibleArguments: AutocompleteListItem[] } };

/** model.AutocompleteSuggestion. */
export interface AutocompleteSuggestion {
  Complete: string;
  Suggestion: string;
  Hint: string;
  Description: string;
  IconData: string;
}

export const SYSTEM_USER_ROLE = 'system_user';
export const SYSTEM_ADMIN_ROLE = 'system_admin';

/** model.NewAutocompleteData: visible to every user unless a role is set. */
export function autocompleteData(trigger: string, hint: string, helpText: string): AutocompleteData {
  return { Trigger: trigger, Hint: hint, HelpText: helpText, RoleID: SYSTEM_USER_ROLE, Arguments: [], SubCommands: [] };
}

/** AutocompleteData.AddTextArgument: a required positional text argument. */
export function withTextArgument(data: AutocompleteData, helpText: string, hint: string, pattern = ''): AutocompleteData {
  return {
    ...data,
    Arguments: [...data.Arguments, { Name: '', HelpText: helpText, Type: 'TextInput', Required: true, Data: { Hint: hint, Pattern: pattern } }],
  };
}

/** model.Command as the API returns it; custom commands are rows of the `commands` table. */
export interface CommandView {
  id: string;
  token: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  creator_id: string;
  team_id: string;
  trigger: string;
  method: string;
  username: string;
  icon_url: string;
  auto_complete: boolean;
  auto_complete_desc: string;
  auto_complete_hint: string;
  display_name: string;
  description: string;
  url: string;
  plugin_id: string;
  autocomplete_data?: AutocompleteData;
  autocomplete_icon_data?: string;
}

/** Command.Sanitize: what lists for users without manage rights leave out. */
export function sanitizeCommand(command: CommandView): CommandView {
  return { ...command, token: '', creator_id: '', method: '', url: '', username: '', icon_url: '' };
}

/** The description a built-in gives of itself (its GetCommand). */
export interface BuiltInDescription {
  trigger: string;
  displayName: string;
  description: string;
  hint: string;
  autocomplete?: AutocompleteData;
}

/** A built-in as model.Command, already sanitised (built-ins have no id, team, token or URL). */
export function builtInCommandView(d: BuiltInDescription): CommandView {
  const view: CommandView = {
    id: '',
    token: '',
    create_at: 0,
    update_at: 0,
    delete_at: 0,
    creator_id: '',
    team_id: '',
    trigger: d.trigger,
    method: '',
    username: '',
    icon_url: '',
    auto_complete: true,
    auto_complete_desc: d.description,
    auto_complete_hint: d.hint,
    display_name: d.displayName,
    description: '',
    url: '',
    plugin_id: '',
  };
  if (d.autocomplete) view.autocomplete_data = d.autocomplete;
  return view;
}
