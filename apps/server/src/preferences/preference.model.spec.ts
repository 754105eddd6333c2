import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { parsePreferenceList, Preference, preferenceError, sanitizePreference } from './preference.model.js';

const USER = 'ybndrfg8ejkmcpqxot1uwisza3';
const pref = (over: Partial<Preference> = {}): Preference => ({
  user_id: USER,
  category: 'display_settings',
  name: 'use_military_time',
  value: 'true',
  ...over,
});

function idOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as AppError).id;
  }
  return undefined;
}

describe('parsePreferenceList', () => {
  it('reads an array of preference objects, missing fields as empty strings', () => {
    expect(parsePreferenceList([{ user_id: USER, category: 'c', name: 'n' }])).toEqual([{ user_id: USER, category: 'c', name: 'n', value: '' }]);
  });

  it('refuses non-arrays, empty and over-long lists, non-objects and non-string fields', () => {
    const bad = 'api.context.invalid_body_param.app_error';
    expect(idOf(() => parsePreferenceList({}))).toBe(bad);
    expect(idOf(() => parsePreferenceList([]))).toBe(bad);
    expect(idOf(() => parsePreferenceList(Array.from({ length: 101 }, () => pref())))).toBe(bad);
    expect(parsePreferenceList(Array.from({ length: 100 }, () => pref()))).toHaveLength(100);
    expect(idOf(() => parsePreferenceList(['x']))).toBe(bad);
    expect(idOf(() => parsePreferenceList([[]]))).toBe(bad);
    expect(idOf(() => parsePreferenceList([{ ...pref(), value: 3 }]))).toBe(bad);
  });
});

describe('preferenceError (model.Preference.IsValid)', () => {
  it('accepts a normal preference, an empty name and a 26-char id as name', () => {
    expect(preferenceError(pref())).toBeNull();
    expect(preferenceError(pref({ name: '' }))).toBeNull();
    expect(preferenceError(pref({ category: 'direct_channel_show', name: USER }))).toBeNull();
  });

  it('checks the user id, category, name and value limits', () => {
    expect(preferenceError(pref({ user_id: 'nope' }))?.id).toBe('model.preference.is_valid.id.app_error');
    expect(preferenceError(pref({ category: '' }))?.id).toBe('model.preference.is_valid.category.app_error');
    expect(preferenceError(pref({ category: 'c'.repeat(32) }))).toBeNull();
    expect(preferenceError(pref({ category: 'c'.repeat(33) }))?.id).toBe('model.preference.is_valid.category.app_error');
    expect(preferenceError(pref({ name: 'n'.repeat(33) }))?.id).toBe('model.preference.is_valid.name.app_error');
    // 32 bytes, not characters, as Go's len()
    expect(preferenceError(pref({ name: 'é'.repeat(17) }))?.id).toBe('model.preference.is_valid.name.app_error');
    expect(preferenceError(pref({ value: 'v'.repeat(2000) }))).toBeNull();
    expect(preferenceError(pref({ value: 'v'.repeat(2001) }))?.id).toBe('model.preference.is_valid.value.app_error');
    // the value limit counts characters: 2000 emoji are fine
    expect(preferenceError(pref({ value: '😀'.repeat(2000) }))).toBeNull();
  });

  it('wants a theme to be a JSON object of strings', () => {
    expect(preferenceError(pref({ category: 'theme', name: '', value: '{"sidebarBg":"#ffffff"}' }))).toBeNull();
    expect(preferenceError(pref({ category: 'theme', value: 'not json' }))?.id).toBe('model.preference.is_valid.theme.app_error');
    expect(preferenceError(pref({ category: 'theme', value: '{"a":1}' }))?.id).toBe('model.preference.is_valid.theme.app_error');
    expect(preferenceError(pref({ category: 'theme', value: '[]' }))?.id).toBe('model.preference.is_valid.theme.app_error');
  });

  it('bounds sidebar_settings/limit_visible_dms_gms to 1..40', () => {
    const limit = (value: string) => preferenceError(pref({ category: 'sidebar_settings', name: 'limit_visible_dms_gms', value }))?.id ?? null;
    expect(limit('1')).toBeNull();
    expect(limit('40')).toBeNull();
    expect(limit('0')).toBe('model.preference.is_valid.limit_visible_dms_gms.app_error');
    expect(limit('41')).toBe('model.preference.is_valid.limit_visible_dms_gms.app_error');
    expect(limit('ten')).toBe('model.preference.is_valid.limit_visible_dms_gms.app_error');
    expect(limit('1.5')).toBe('model.preference.is_valid.limit_visible_dms_gms.app_error');
  });
});

describe('sanitizePreference (model.Preference.PreUpdate)', () => {
  it('replaces theme entries that are not colours, keeping image/type/codeTheme', () => {
    const theme = { sidebarBg: '#145dbf', linkColor: 'red; background: url(x)', short: '#abc', type: 'Custom', codeTheme: 'github', image: 'x.png' };
    const out = sanitizePreference(pref({ category: 'theme', value: JSON.stringify(theme) }));
    expect(JSON.parse(out.value)).toEqual({ ...theme, linkColor: '#ffffff' });
  });

  it('leaves other categories and undecodable themes alone', () => {
    const p = pref({ value: 'red' });
    expect(sanitizePreference(p)).toBe(p);
    const broken = pref({ category: 'theme', value: '{' });
    expect(sanitizePreference(broken)).toBe(broken);
  });
});
