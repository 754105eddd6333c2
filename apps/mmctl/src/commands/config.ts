import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { withClient } from '../command.js';
import { CliError } from '../errors.js';
import { printer } from '../printer.js';

type Json = Record<string, unknown>;

/** mmctl's getValue: a dotted path into the config (PluginSettings.Plugins keys may hold dots). */
export function getValue(config: Json, path: string[]): { found: boolean; value?: unknown } {
  let node: unknown = config;
  for (let i = 0; i < path.length; i++) {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return { found: false };
    const obj = node as Json;
    if (path[i] in obj) {
      node = obj[path[i]];
      continue;
    }
    // a map key with dots in it ("com.mattermost.plugin")
    const rest = path.slice(i).join('.');
    const key = Object.keys(obj).find((k) => k.includes('.') && (rest === k || rest.startsWith(`${k}.`)));
    if (!key) return { found: false };
    node = obj[key];
    i += key.split('.').length - 1;
  }
  return { found: true, value: node };
}

/**
 * mmctl's setValue: the new value takes the type of the current one (true/false for booleans,
 * digits for numbers, several arguments for a list). Returns the patch to send: only the changed
 * setting, so nothing else of the config (masked secrets included) is sent back.
 */
export function buildPatch(config: Json, key: string, values: string[]): Json {
  const path = key.split('.');
  const current = getValue(config, path);
  if (!current.found || path.length < 2) throw new CliError('invalid key');
  const value = convert(key, current.value, values);
  const patch: Json = {};
  let node = patch;
  for (const part of path.slice(0, -1)) {
    node[part] = {};
    node = node[part] as Json;
  }
  node[path[path.length - 1]] = value;
  return patch;
}

function convert(key: string, current: unknown, values: string[]): unknown {
  if (Array.isArray(current)) return values;
  if (values.length > 1) throw new CliError(`${key} takes one value, got ${values.length}`);
  const v = values[0];
  switch (typeof current) {
    case 'boolean':
      if (!/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(v)) throw new CliError(`${key} is a boolean: give true or false, not "${v}"`);
      return /^(true|1|t)$/i.test(v);
    case 'number': {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`${key} is a number, not "${v}"`);
      return n;
    }
    case 'string':
      return v;
    case 'object':
      if (current === null) return v;
      throw new CliError(`${key} is a section: set one of its settings`);
    default:
      return v;
  }
}

export function configCommand(): Command {
  const config = new Command('config').description('Configuration');

  config
    .command('get')
    .description('Gets the value of a config setting by its name in dot notation.')
    .argument('<key>', 'e.g. SqlSettings.DriverName')
    .action(
      withClient(async ({ client }, _o, key: string) => {
        const cfg = (await client.getConfig()) as unknown as Json;
        const got = getValue(cfg, key.split('.'));
        if (!got.found) throw new CliError('invalid key');
        printer.printJson(got.value);
      }),
    );

  config
    .command('set')
    .description('Sets the value of a config setting by its name in dot notation. Accepts multiple values for array settings')
    .argument('<key>')
    .argument('<values...>')
    .addHelpText('after', '\nExamples:\n  config set SqlSettings.DriverName postgres\n  config set SqlSettings.DataSourceReplicas "replica1" "replica2"')
    .action(
      withClient(async ({ client }, _o, key: string, values: string[]) => {
        printer.single = true;
        const cfg = (await client.getConfig()) as unknown as Json;
        const patch = buildPatch(cfg, key, values);
        const saved = await client.patchConfig(patch);
        printer.print('Value changed successfully', saved);
      }),
    );

  config
    .command('patch')
    .description('Patches config settings with the given config file.')
    .argument('<config-file>')
    .action(
      withClient(async ({ client }, _o, file: string) => {
        printer.single = true;
        let patch: unknown;
        try {
          patch = JSON.parse(readFileSync(file, 'utf8'));
        } catch (err) {
          throw new CliError(`cannot read the config patch ${file}: ${(err as Error).message}`);
        }
        if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new CliError(`${file} must hold a JSON object of config sections`);
        const saved = await client.patchConfig(patch as Json);
        printer.print('Config patched successfully', saved);
      }),
    );

  config
    .command('show')
    .description('Prints the server configuration and writes to STDOUT in JSON format.')
    .action(
      withClient(async ({ client }) => {
        printer.printJson(await client.getConfig());
      }),
    );

  config
    .command('reload')
    .description('Reload the server configuration in case you want to new settings to be applied.')
    .action(
      withClient(async ({ client }) => {
        printer.single = true;
        await client.reloadConfig();
        printer.print('Config reloaded successfully', { status: 'OK' });
      }),
    );

  return config;
}
