import { invalidParam } from '#common';

/**
 * Interactive dialogs as Mattermost's model (integration_action.go) puts them on the wire: the
 * request that opens one, the request a submission makes, and the dialog's checks. Decoding
 * builds the Go structs' JSON, field by field and in their order, so the `open_dialog` event
 * carries what Mattermost's would; a field of the wrong type does not decode (400 `dialog`).
 */

export interface DialogOption {
  text: string;
  value: string;
}

export interface DialogElement {
  display_name: string;
  name: string;
  type: string;
  subtype: string;
  default: string;
  placeholder: string;
  help_text: string;
  optional: boolean;
  min_length: number;
  max_length: number;
  data_source: string;
  data_source_url?: string;
  options: Array<DialogOption | null> | null;
  multiselect: boolean;
  refresh?: boolean;
  min_date?: string;
  max_date?: string;
  time_interval?: number;
}

export interface Dialog {
  callback_id: string;
  title: string;
  introduction_text: string;
  icon_url: string;
  elements: DialogElement[] | null;
  submit_label: string;
  notify_on_cancel: boolean;
  state: string;
  source_url?: string;
}

export interface OpenDialogRequest {
  trigger_id: string;
  url: string;
  dialog: Dialog;
}

export interface SubmitDialogRequest {
  url: string;
  callback_id: string;
  state: string;
  channel_id: string;
  team_id: string;
  submission: Record<string, unknown> | null;
  cancelled: boolean;
}

type Json = Record<string, unknown>;

/** Reads JSON as Go's decoder fills a struct: missing and null are the zero value, anything else must be the field's type. */
class Reader {
  constructor(
    private readonly v: Json,
    private readonly param: string,
  ) {}

  str(key: string): string {
    const value = this.v[key];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw invalidParam(this.param);
    return value;
  }

  bool(key: string): boolean {
    const value = this.v[key];
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') throw invalidParam(this.param);
    return value;
  }

  int(key: string): number {
    const value = this.v[key];
    if (value === undefined || value === null) return 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidParam(this.param);
    return value;
  }

  list(key: string): unknown[] | null {
    const value = this.v[key];
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value)) throw invalidParam(this.param);
    return value;
  }

  obj(key: string): Json | null {
    const value = this.v[key];
    if (value === undefined || value === null) return null;
    return asObject(value, this.param);
  }
}

function asObject(value: unknown, param: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidParam(param);
  return value as Json;
}

const reader = (value: unknown, param: string) => new Reader(asObject(value, param), param);

function decodeOption(value: unknown, param: string): DialogOption | null {
  if (value === null) return null;
  const r = reader(value, param);
  return { text: r.str('text'), value: r.str('value') };
}

function decodeElement(value: unknown, param: string): DialogElement {
  const r = reader(value, param);
  const dataSourceUrl = r.str('data_source_url');
  const refresh = r.bool('refresh');
  const minDate = r.str('min_date');
  const maxDate = r.str('max_date');
  const timeInterval = r.int('time_interval');
  // In Go's field order, the omitempty fields only when set.
  return {
    display_name: r.str('display_name'),
    name: r.str('name'),
    type: r.str('type'),
    subtype: r.str('subtype'),
    default: r.str('default'),
    placeholder: r.str('placeholder'),
    help_text: r.str('help_text'),
    optional: r.bool('optional'),
    min_length: r.int('min_length'),
    max_length: r.int('max_length'),
    data_source: r.str('data_source'),
    ...(dataSourceUrl ? { data_source_url: dataSourceUrl } : {}),
    options: r.list('options')?.map((o) => decodeOption(o, param)) ?? null,
    multiselect: r.bool('multiselect'),
    ...(refresh ? { refresh } : {}),
    ...(minDate ? { min_date: minDate } : {}),
    ...(maxDate ? { max_date: maxDate } : {}),
    ...(timeInterval ? { time_interval: timeInterval } : {}),
  };
}

/** model.Dialog from JSON. */
export function decodeDialog(value: unknown, param = 'dialog'): Dialog {
  const r = value === undefined || value === null ? new Reader({}, param) : reader(value, param);
  const dialog: Dialog = {
    callback_id: r.str('callback_id'),
    title: r.str('title'),
    introduction_text: r.str('introduction_text'),
    icon_url: r.str('icon_url'),
    elements: r.list('elements')?.map((e) => decodeElement(e, param)) ?? null,
    submit_label: r.str('submit_label'),
    notify_on_cancel: r.bool('notify_on_cancel'),
    state: r.str('state'),
  };
  const sourceUrl = r.str('source_url');
  if (sourceUrl) dialog.source_url = sourceUrl;
  return dialog;
}

/** model.OpenDialogRequest from the body of POST /actions/dialogs/open. */
export function decodeOpenDialog(body: unknown): OpenDialogRequest {
  const r = reader(body ?? {}, 'dialog');
  return { trigger_id: r.str('trigger_id'), url: r.str('url'), dialog: decodeDialog(r.obj('dialog'), 'dialog') };
}

/** model.SubmitDialogRequest from the body of POST /actions/dialogs/submit (user_id is the caller's, whatever is sent). */
export function decodeSubmitDialog(body: unknown): SubmitDialogRequest {
  const r = reader(body ?? {}, 'dialog');
  r.str('type');
  r.str('user_id');
  return {
    url: r.str('url'),
    callback_id: r.str('callback_id'),
    state: r.str('state'),
    channel_id: r.str('channel_id'),
    team_id: r.str('team_id'),
    submission: r.obj('submission'),
    cancelled: r.bool('cancelled'),
  };
}

// ---- validation (OpenDialogRequest.IsValid, Dialog.IsValid, DialogElement.IsValid) --------------

const TITLE_MAX = 24;
const DISPLAY_NAME_MAX = 24;
const NAME_MAX = 300;
const HELP_TEXT_MAX = 150;
const TEXT_MAX = 150;
const TEXTAREA_MAX = 3000;
const SELECT_MAX = 3000;
const BOOL_MAX = 150;
const TEXT_SUBTYPES = new Set(['', 'text', 'email', 'number', 'tel', 'url', 'password']);
const bytes = (s: string) => Buffer.byteLength(s);

function isValidHttpUrl(raw: string): boolean {
  if (!raw.startsWith('http://') && !raw.startsWith('https://')) return false;
  try {
    return new URL(raw).host !== '';
  } catch {
    return false;
  }
}

/** Every problem of the request, in Mattermost's words; none means valid. */
export function dialogProblems(request: OpenDialogRequest): string[] {
  const problems: string[] = [];
  if (request.url === '') problems.push('empty URL');
  if (request.trigger_id === '') problems.push('empty trigger id');
  const d = request.dialog;
  if (d.title === '' || bytes(d.title) > TITLE_MAX) problems.push(`invalid dialog title "${d.title}"`);
  if (d.icon_url !== '' && !isValidHttpUrl(d.icon_url)) problems.push('invalid icon url');
  const seen = new Set<string>();
  for (const e of d.elements ?? []) {
    if (seen.has(e.name)) problems.push(`duplicate dialog element "${e.name}"`);
    seen.add(e.name);
    for (const p of elementProblems(e)) problems.push(`"${e.name}" field is not valid: ${p}`);
  }
  return problems;
}

function maxLength(field: string, value: string, max: number, required = false): string[] {
  if (required && value.length === 0) return [`${field} cannot be empty`];
  return bytes(value) > max ? [`${field} cannot be longer than ${max} characters, got ${bytes(value)}`] : [];
}

const inOptions = (value: string, options: DialogElement['options']) => value === '' || (options ?? []).some((o) => o !== null && o.value === value);

function elementProblems(e: DialogElement): string[] {
  const out: string[] = [];
  if (e.min_length < 0) out.push(`min length cannot be a negative number, got ${e.min_length}`);
  if (e.min_length > e.max_length) out.push(`min length should be less then max length, got ${e.min_length} > ${e.max_length}`);
  out.push(...maxLength('DisplayName', e.display_name, DISPLAY_NAME_MAX, true));
  out.push(...maxLength('Name', e.name, NAME_MAX, true));
  out.push(...maxLength('HelpText', e.help_text, HELP_TEXT_MAX));
  if (e.multiselect && e.type !== 'select') out.push(`multiselect can only be used with select elements, got type "${e.type}"`);
  switch (e.type) {
    case 'text':
    case 'textarea': {
      const max = e.type === 'text' ? TEXT_MAX : TEXTAREA_MAX;
      out.push(...maxLength('Default', e.default, max), ...maxLength('Placeholder', e.placeholder, max));
      if (!TEXT_SUBTYPES.has(e.subtype)) out.push(`invalid subtype "${e.type}"`);
      break;
    }
    case 'select':
      out.push(...maxLength('Default', e.default, SELECT_MAX), ...maxLength('Placeholder', e.placeholder, SELECT_MAX));
      if (!['', 'users', 'channels', 'dynamic'].includes(e.data_source)) {
        out.push(`invalid data source "${e.data_source}", allowed are 'users', 'channels', or 'dynamic'`);
      }
      if (e.data_source === 'dynamic') {
        if (!e.data_source_url) out.push('dynamic data_source requires data_source_url');
        if ((e.options ?? []).length > 0) out.push('dynamic select element should not have static options');
      } else if (e.data_source === '') {
        const defaults = e.multiselect ? e.default.replace(/ /g, '').split(',').filter(Boolean) : [e.default];
        if (!defaults.every((v) => inOptions(v, e.options))) out.push(`default value "${e.default}" doesn't exist in options`);
      }
      break;
    case 'bool':
      if (!['', 'true', 'false'].includes(e.default)) out.push('invalid default of bool');
      out.push(...maxLength('Placeholder', e.placeholder, BOOL_MAX));
      break;
    case 'radio':
      if (!inOptions(e.default, e.options)) out.push(`default value "${e.default}" doesn't exist in options`);
      break;
    case 'date':
    case 'datetime':
      out.push(...maxLength('Default', e.default, TEXT_MAX), ...maxLength('Placeholder', e.placeholder, TEXT_MAX));
      break;
    default:
      out.push(`invalid element type: "${e.type}"`);
  }
  return out;
}
