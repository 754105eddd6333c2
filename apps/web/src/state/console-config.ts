/**
 * The server's config as the System Console edits it: loaded with GET /config (secrets come back
 * as Mattermost's mask, and the server keeps the stored secret when the mask is sent back), saved
 * whole with PUT /config, which validates it and answers with the AppError of the first setting it
 * refuses ("config: SqlSettings.MaxOpenConns must be greater than 0, got 0"). Settings set by
 * MM_* environment variables (GET /config/environment) cannot be changed here, as in Mattermost.
 *
 * The forms (state/console-forms.ts) name settings by path ("SqlSettings.MaxOpenConns"); the
 * inputs hold strings and booleans, turned back into the config's types when saving.
 */

/** The config as JSON: sections of settings. */
export type ServerConfig = Record<string, Record<string, unknown>>;

export interface ConsoleConfig {
  /** The config as last loaded or saved (undefined: not loaded). */
  saved?: ServerConfig;
  /** Settings set by the environment: { Section: { Setting: true } }. */
  environment: Record<string, Record<string, unknown>>;
}

export const initialConsoleConfig: ConsoleConfig = { environment: {} };

export function receivedServerConfig(state: ConsoleConfig, saved: ServerConfig, environment = state.environment): ConsoleConfig {
  return { saved, environment };
}

export type FieldKind = 'text' | 'number' | 'boolean' | 'secret' | 'select';

export interface ConfigFieldDef {
  /** "Section.Setting" */
  path: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  options?: ReadonlyArray<{ value: string; label: string }>;
}

/** What an input holds: text for text, numbers, secrets and choices; a boolean for a checkbox. */
export type FieldValue = string | boolean;
export type FormValues = Record<string, FieldValue>;

export function settingValue(config: ServerConfig | undefined, path: string): unknown {
  const [section = '', setting = ''] = path.split('.');
  return config?.[section]?.[setting];
}

/** Whether MM_* sets this setting (the form shows it read-only, naming the variable). */
export function isOverridden(environment: ConsoleConfig['environment'], path: string): boolean {
  const [section = '', setting = ''] = path.split('.');
  return !!environment[section]?.[setting];
}

/** The environment variable that sets a setting: MM_SECTION_SETTING in upper case. */
export const envVarName = (path: string): string => `MM_${path.replace('.', '_').toUpperCase()}`;

/** The inputs' values for a form's fields from a config. */
export function formValues(config: ServerConfig | undefined, fields: readonly ConfigFieldDef[]): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = settingValue(config, field.path);
    values[field.path] = field.kind === 'boolean' ? value === true : value === undefined || value === null ? '' : String(value);
  }
  return values;
}

/**
 * The config with the form's values laid over it, in the config's own types: a number field's
 * text becomes a number when it reads as one, and stays text otherwise, so that the server's
 * validation names the mistake ("must be a number, got string") rather than the console guessing.
 * Settings the environment sets are left alone (the server keeps their stored values anyway).
 */
export function applyForm(
  config: ServerConfig,
  fields: readonly ConfigFieldDef[],
  values: FormValues,
  environment: ConsoleConfig['environment'] = {},
): ServerConfig {
  const next: ServerConfig = { ...config };
  for (const field of fields) {
    if (isOverridden(environment, field.path) || !(field.path in values)) continue;
    const [section = '', setting = ''] = field.path.split('.');
    next[section] = { ...next[section], [setting]: typed(field, values[field.path] ?? '', settingValue(config, field.path)) };
  }
  return next;
}

/** The paths whose inputs differ from the config (what Save would change). */
/**
 * The form once the server's config changes under it (it arrives, is saved, or another admin
 * saves it): every field takes the new value, except those the person has edited since the form
 * was built from `before`, which keep what they typed.
 */
export function rebasedValues(current: FormValues, before: FormValues, after: FormValues): FormValues {
  const next: FormValues = { ...after };
  for (const path of Object.keys(after)) {
    if (path in current && path in before && current[path] !== before[path]) next[path] = current[path]!;
  }
  return next;
}

export function changedPaths(config: ServerConfig | undefined, fields: readonly ConfigFieldDef[], values: FormValues): string[] {
  const original = formValues(config, fields);
  return fields.filter((f) => f.path in values && values[f.path] !== original[f.path]).map((f) => f.path);
}

/**
 * The setting a save failed on, from the server's message ("config: FileSettings.MaxFileSize must
 * be …" or "Invalid configuration: config: …"), when it is one of `paths`; '' otherwise.
 */
export function settingOfError(message: string, paths: readonly string[]): string {
  const match = /config: ([A-Za-z0-9]+\.[A-Za-z0-9]+)/.exec(message);
  const path = match?.[1] ?? '';
  return paths.includes(path) ? path : '';
}

function typed(field: ConfigFieldDef, value: FieldValue, current: unknown): unknown {
  if (field.kind === 'boolean') return value === true;
  const text = String(value);
  // Mattermost keeps some numbers as strings (EmailSettings.SMTPPort): the config's own type decides.
  if (field.kind === 'number' && typeof current !== 'string') {
    const trimmed = text.trim();
    const n = Number(trimmed);
    return trimmed !== '' && Number.isFinite(n) ? n : text;
  }
  return text;
}
