import { describe, expect, it } from 'vitest';
import { canSignUp, readableTextOn, signInOptions, type ClientConfigMap } from './config';

const base: ClientConfigMap = { EnableSignInWithEmail: 'true', EnableSignInWithUsername: 'true', EnableSignUpWithEmail: 'true' };

describe('signInOptions', () => {
  it('labels the login id by the methods that may use it', () => {
    expect(signInOptions(base).loginIdLabel).toBe('Email or username');
    expect(signInOptions({ ...base, EnableSignInWithUsername: 'false' }).loginIdLabel).toBe('Email');
    expect(signInOptions({ ...base, EnableLdap: 'true', LdapLoginFieldName: '' }).loginIdLabel).toBe('Email, username or AD/LDAP username');
    expect(signInOptions({ EnableLdap: 'true', LdapLoginFieldName: 'Company ID' }).loginIdLabel).toBe('Company ID');
  });

  it('sends ldap_only only when the directory is the one password method', () => {
    expect(signInOptions({ ...base, EnableLdap: 'true' }).ldapOnly).toBe(false);
    expect(signInOptions({ EnableLdap: 'true' }).ldapOnly).toBe(true);
  });

  it('has no password form when only browser methods are on', () => {
    const options = signInOptions({ EnableSignInWithEmail: 'false', EnableSignInWithUsername: 'false', EnableSaml: 'true' });
    expect(options.passwordForm).toBe(false);
    expect(options.sso.map((b) => b.id)).toEqual(['saml']);
  });

  it('has one button per enabled browser method, each keeping redirect_to', () => {
    const options = signInOptions(
      {
        ...base,
        EnableSignUpWithGitLab: 'true',
        GitLabButtonText: 'Company GitLab',
        GitLabButtonColor: '#fc6d26',
        EnableSignUpWithGoogle: 'true',
        EnableSignUpWithOffice365: 'false',
        EnableSignUpWithOpenId: 'true',
        OpenIdButtonText: '',
        EnableSaml: 'true',
        SamlLoginButtonText: 'Okta',
        SamlLoginButtonTextColor: '#fff',
      },
      '/acme/channels/town-square',
    );
    expect(options.sso.map((b) => [b.id, b.label, b.href])).toEqual([
      ['gitlab', 'Company GitLab', '/oauth/gitlab/login?redirect_to=%2Facme%2Fchannels%2Ftown-square'],
      ['google', 'Google', '/oauth/google/login?redirect_to=%2Facme%2Fchannels%2Ftown-square'],
      ['openid', 'OpenID', '/oauth/openid/login?redirect_to=%2Facme%2Fchannels%2Ftown-square'],
      ['saml', 'Okta', '/login/sso/saml?redirect_to=%2Facme%2Fchannels%2Ftown-square'],
    ]);
    expect(options.sso[0]!.color).toBe('#fc6d26');
    expect(options.sso[3]!.textColor).toBe('#fff');
  });

  it('links without a query when there is nowhere to return to', () => {
    expect(signInOptions({ EnableSignUpWithOffice365: 'true' }).sso[0]!.href).toBe('/oauth/office365/login');
  });
});

describe('canSignUp', () => {
  it('lets the first account sign up on any server, and others on an open server that allows creation', () => {
    expect(canSignUp({ ...base, NoAccounts: 'true' })).toBe(true);
    expect(canSignUp({ ...base, NoAccounts: 'false', EnableOpenServer: 'false', EnableUserCreation: 'true' })).toBe(false);
    expect(canSignUp({ ...base, EnableOpenServer: 'true', EnableUserCreation: 'true' })).toBe(true);
    expect(canSignUp({ ...base, EnableOpenServer: 'true', EnableUserCreation: 'false' })).toBe(false);
    expect(canSignUp({ ...base, EnableSignUpWithEmail: 'false', NoAccounts: 'true' })).toBe(false);
  });

  it('lets an invited person sign up on a closed server that allows creation', () => {
    const closed = { ...base, EnableOpenServer: 'false', EnableUserCreation: 'true' };
    expect(canSignUp(closed)).toBe(false);
    expect(canSignUp(closed, true)).toBe(true);
    expect(canSignUp({ ...closed, EnableUserCreation: 'false' }, true)).toBe(false);
    expect(canSignUp({ ...closed, EnableSignUpWithEmail: 'false' }, true)).toBe(false);
  });
});

describe('readableTextOn', () => {
  it('writes white on dark and mid colours, near-black on light ones, nothing on what is not a hex colour', () => {
    expect(readableTextOn('#145DBF')).toBe('#ffffff');
    expect(readableTextOn('#000')).toBe('#ffffff');
    expect(readableTextOn('#FFD500')).toBe('#1b1d22');
    expect(readableTextOn('#ffffff')).toBe('#1b1d22');
    expect(readableTextOn('blue')).toBe('');
  });
});
