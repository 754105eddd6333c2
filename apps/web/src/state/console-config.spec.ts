import { describe, expect, it } from 'vitest';
import { defaultConfig, FAKE_SETTING, SECRET_SETTINGS } from '../../../../libs/config/src/defaults';
import {
  applyForm,
  changedPaths,
  envVarName,
  formValues,
  isOverridden,
  rebasedValues,
  settingOfError,
  type ConfigFieldDef,
  type ServerConfig,
} from './console-config';
import { CONSOLE_SECTIONS, DEFAULT_SECTION, formFields, sectionByPath } from './console-sections';

const fields: ConfigFieldDef[] = [
  { path: 'ServiceSettings.SiteURL', label: 'Site URL', kind: 'text' },
  { path: 'SqlSettings.MaxOpenConns', label: 'Max', kind: 'number' },
  { path: 'SqlSettings.DataSource', label: 'DS', kind: 'secret' },
  { path: 'RateLimitSettings.Enable', label: 'On', kind: 'boolean' },
  { path: 'EmailSettings.SMTPPort', label: 'Port', kind: 'number' },
];
const config: ServerConfig = {
  ServiceSettings: { SiteURL: 'http://a', ListenAddress: ':8065' },
  SqlSettings: { MaxOpenConns: 300, DataSource: FAKE_SETTING },
  RateLimitSettings: { Enable: false },
  EmailSettings: { SMTPPort: '10025' },
};

describe('console config forms', () => {
  it("reads the inputs' values: text for everything but checkboxes", () => {
    expect(formValues(config, fields)).toEqual({
      'ServiceSettings.SiteURL': 'http://a',
      'SqlSettings.MaxOpenConns': '300',
      'SqlSettings.DataSource': FAKE_SETTING,
      'RateLimitSettings.Enable': false,
      'EmailSettings.SMTPPort': '10025',
    });
    expect(formValues(undefined, fields)['ServiceSettings.SiteURL']).toBe('');
  });

  it("lays the form over the config in the config's types, leaving other settings and the masked secret as they were", () => {
    const values = {
      ...formValues(config, fields),
      'ServiceSettings.SiteURL': 'https://chat',
      'SqlSettings.MaxOpenConns': ' 50 ',
      'RateLimitSettings.Enable': true,
      'EmailSettings.SMTPPort': '587',
    };
    const next = applyForm(config, fields, values);
    expect(next.ServiceSettings).toEqual({ SiteURL: 'https://chat', ListenAddress: ':8065' });
    expect(next.SqlSettings).toEqual({ MaxOpenConns: 50, DataSource: FAKE_SETTING });
    expect(next.RateLimitSettings).toEqual({ Enable: true });
    // Mattermost keeps SMTPPort as a string.
    expect(next.EmailSettings).toEqual({ SMTPPort: '587' });
    expect(config.SqlSettings?.MaxOpenConns).toBe(300);
    expect(changedPaths(config, fields, values)).toEqual([
      'ServiceSettings.SiteURL',
      'SqlSettings.MaxOpenConns',
      'RateLimitSettings.Enable',
      'EmailSettings.SMTPPort',
    ]);
  });

  it("sends a number field that is not a number as text, so that the server's validation says what is wrong", () => {
    const next = applyForm(config, fields, { 'SqlSettings.MaxOpenConns': 'many' });
    expect(next.SqlSettings?.MaxOpenConns).toBe('many');
    expect(applyForm(config, fields, { 'SqlSettings.MaxOpenConns': '' }).SqlSettings?.MaxOpenConns).toBe('');
  });

  it('leaves settings the environment sets alone and names their variable', () => {
    const environment = { ServiceSettings: { SiteURL: true } };
    expect(isOverridden(environment, 'ServiceSettings.SiteURL')).toBe(true);
    expect(isOverridden(environment, 'SqlSettings.MaxOpenConns')).toBe(false);
    const next = applyForm(config, fields, { 'ServiceSettings.SiteURL': 'https://other', 'SqlSettings.MaxOpenConns': '5' }, environment);
    expect(next.ServiceSettings?.SiteURL).toBe('http://a');
    expect(next.SqlSettings?.MaxOpenConns).toBe(5);
    expect(envVarName('ServiceSettings.SiteURL')).toBe('MM_SERVICESETTINGS_SITEURL');
  });

  it("finds the setting a save failed on in the server's message", () => {
    const paths = fields.map((f) => f.path);
    expect(settingOfError('config: SqlSettings.MaxOpenConns must be greater than 0, got 0', paths)).toBe('SqlSettings.MaxOpenConns');
    expect(settingOfError('Invalid configuration: config: ServiceSettings.SiteURL is bad', paths)).toBe('ServiceSettings.SiteURL');
    expect(settingOfError('config: FileSettings.DriverName must be "local" or "amazons3"', paths)).toBe('');
    expect(settingOfError('You do not have the appropriate permissions.', paths)).toBe('');
  });
});

describe('console sections', () => {
  const defaults = defaultConfig as unknown as ServerConfig;
  const secrets = new Set(SECRET_SETTINGS.map(([section, setting]) => `${section}.${setting}`));

  it("edit only settings the server has, each with an input of the setting's type, secrets masked", () => {
    for (const section of CONSOLE_SECTIONS.filter((s) => s.form)) {
      for (const field of formFields(section.form!)) {
        const [s = '', k = ''] = field.path.split('.');
        const value = defaults[s]?.[k];
        expect(value, `${section.path}: ${field.path} is not a setting of the server`).toBeDefined();
        const expected = typeof value === 'boolean' ? ['boolean'] : typeof value === 'number' ? ['number'] : ['text', 'select', 'secret', 'number'];
        expect(expected, `${field.path} is a ${typeof value}`).toContain(field.kind);
        expect(field.kind === 'secret', `${field.path}: secret settings (and only they) are password inputs`).toBe(secrets.has(field.path));
      }
    }
  });

  it("have unique paths, include the issue's config pages and lead /admin_console to a section", () => {
    const paths = CONSOLE_SECTIONS.map((s) => s.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of [
      'environment/web_server',
      'environment/database',
      'environment/file_storage',
      'environment/smtp',
      'environment/rate_limiting',
      'authentication/saml',
      'authentication/ldap',
      'authentication/openid',
    ]) {
      expect(sectionByPath(p)?.kind, p).toBe('config');
    }
    expect(sectionByPath(DEFAULT_SECTION)?.kind).toBe('cluster');
    expect(sectionByPath('environment/file_storage')?.form?.s3Test).toBe(true);
  });
});

describe('rebasedValues', () => {
  it('takes the new config for untouched fields and keeps what the person typed', () => {
    const before = { 'FileSettings.MaxFileSize': '100', 'FileSettings.DriverName': 'local', 'FileSettings.EnablePublicLink': false };
    const current = { ...before, 'FileSettings.MaxFileSize': 'lots' };
    const after = { 'FileSettings.MaxFileSize': '200', 'FileSettings.DriverName': 'amazons3', 'FileSettings.EnablePublicLink': true };
    expect(rebasedValues(current, before, after)).toEqual({ ...after, 'FileSettings.MaxFileSize': 'lots' });
    // Nothing typed: the form is the new config.
    expect(rebasedValues(before, before, after)).toEqual(after);
  });
});
