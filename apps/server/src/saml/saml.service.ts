import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { randomBytes } from 'node:crypto';
import { unauthorized } from '#common';
import { Config, ConfigService } from '#config';
// The SAML class alone, behind this service: passport's strategy would keep the sign-in in an
// express session (one node's memory, or a session store beside the database); here the request
// id and RelayState live in sso_flows and the session is made by WebSignIn, as for every provider.
import { SAML, type Profile } from '@node-saml/passport-saml';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';
import { SsoFlowsRepository } from '../sso/sso-flows.repository.js';
import { SignInTarget, WebSignIn } from '../sso/web-sign-in.js';
import { UsersRepository } from '../users/users.repository.js';
import { ConfigFilesRepository } from './config-files.repository.js';
import { samlIdentity, samlRole, type SamlAttributes } from './saml-identity.js';
import { SamlRequestCache } from './saml-request-cache.js';
import {
  assertionId,
  checkVerifiedResponse,
  fromSamlLibrary,
  NOT_ISSUED_HERE,
  replayKey,
  replayKeyExpiry,
  responseShape,
  samlRefused,
} from './saml-response.js';
import { acsUrl, checkSignInSettings, loadSamlKeys, samlOptions, SIGN_IN_TTL_MS } from './saml-settings.js';

/** The sso_flows kind of a RelayState: where the sign-in ends, and the AuthnRequest it sent. */
export const SAML_RELAY = 'saml_relay';

interface RelayFlow {
  target: SignInTarget;
  requestId: string;
}

export interface SamlStartQuery {
  action?: string;
  redirect_to?: string;
  switch_token?: string;
}

export interface SamlPost {
  SAMLResponse?: unknown;
  RelayState?: unknown;
}

/**
 * SAML 2.0 sign-in as Mattermost's /login/sso/saml: an AuthnRequest sent with the redirect
 * binding, the IdP's answer taken on the POST binding (the ACS). Every step reads the config and
 * the uploaded files afresh and keeps its state in the database, so the redirect and the answer
 * may reach different nodes.
 */
@Injectable()
export class SamlService {
  constructor(
    private readonly config: ConfigService,
    private readonly files: ConfigFilesRepository,
    private readonly flows: SsoFlowsRepository,
    private readonly web: WebSignIn,
    private readonly users: UsersRepository,
  ) {}

  /** GET /login/sso/saml: checks where the sign-in may end, then sends the browser to the IdP. */
  async start(res: Response, query: SamlStartQuery): Promise<void> {
    let target: SignInTarget | undefined;
    try {
      target = this.web.target(query.action, query.redirect_to, query.switch_token);
      res.redirect(302, await this.authorizeUrl(target));
    } catch (err) {
      this.web.fail(res, err, target);
    }
  }

  /**
   * POST /login/sso/saml: the IdP's response. Signed in on success; otherwise the reason on the
   * error page (or the app's scheme), no session and no cookie.
   */
  async consume(res: Response, body: SamlPost): Promise<void> {
    let target: SignInTarget | undefined;
    try {
      const samlResponse = typeof body.SAMLResponse === 'string' ? body.SAMLResponse.trim() : '';
      const relayState = typeof body.RelayState === 'string' ? body.RelayState : '';
      if (!samlResponse) throw samlRefused('empty_response', 'The identity provider sent no SAML response.');
      // The RelayState names the sign-in this browser started; without it (an IdP-initiated
      // response, another browser's, a replay) there is nothing this response may complete.
      const relay = relayState && relayState.length <= 128 ? await this.flows.take<RelayFlow>(SAML_RELAY, relayState) : undefined;
      if (!relay) throw samlRefused('invalid_relay_state', NOT_ISSUED_HERE, 'unknown, expired or used RelayState');
      target = relay.target;
      const identity = await this.verify(samlResponse, relay.requestId);
      await this.web.finish(res, identity, target);
    } catch (err) {
      this.web.fail(res, err, target);
    }
  }

  private async authorizeUrl(target: SignInTarget): Promise<string> {
    const cfg = this.config.get();
    const keys = await loadSamlKeys(this.files, cfg);
    checkSignInSettings(cfg, keys);
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const relayState = randomBytes(24).toString('base64url');
    const saml = new SAML(samlOptions(cfg, keys, { cacheProvider: new SamlRequestCache(this.flows, SIGN_IN_TTL_MS), requestId }));
    const url = await saml.getAuthorizeUrlAsync(relayState, undefined, {});
    await this.flows.put(SAML_RELAY, relayState, { target, requestId } satisfies RelayFlow, Date.now() + SIGN_IN_TTL_MS);
    return url;
  }

  /** The person a response signs in, once node-saml and the checks it leaves to us accept it. */
  private async verify(samlResponse: string, requestId: string): Promise<ExternalIdentity> {
    const cfg = this.config.get();
    const keys = await loadSamlKeys(this.files, cfg);
    checkSignInSettings(cfg, keys);
    const saml = new SAML(samlOptions(cfg, keys, { cacheProvider: new SamlRequestCache(this.flows, SIGN_IN_TTL_MS) }));
    let profile: Profile | null;
    try {
      profile = (await saml.validatePostResponseAsync({ SAMLResponse: samlResponse })).profile;
    } catch (err) {
      throw fromSamlLibrary(err);
    }
    if (!profile) throw samlRefused('invalid_response', 'The SAML response holds no sign-in.');
    const s = cfg.SamlSettings;
    checkVerifiedResponse(profile, responseShape(Buffer.from(samlResponse, 'base64').toString('utf8')), {
      acsUrl: acsUrl(cfg),
      requestId,
      idpIssuer: s.IdpDescriptorURL || undefined,
      encrypted: s.Encrypt,
    });
    // The request id was taken once above; the assertion id is refused a second time too, from
    // whichever node it is shown to, for as long as the assertion could otherwise pass.
    if (!(await this.flows.useOnce(replayKey(profile.issuer, assertionId(profile)), replayKeyExpiry(profile)))) {
      throw samlRefused('replayed', 'This SAML assertion was already used. Please sign in again.');
    }
    return this.identity((profile.attributes ?? {}) as SamlAttributes, cfg);
  }

  private async identity(attributes: SamlAttributes, cfg: Config): Promise<ExternalIdentity> {
    const identity = samlIdentity(attributes, cfg.SamlSettings);
    const current = await this.users.byAuth('saml', identity.authData);
    identity.role = samlRole(attributes, cfg.SamlSettings, current?.roles);
    if (identity.role === 'guest' && !cfg.GuestAccountsSettings.Enable) {
      throw unauthorized('api.user.login.guest_accounts.disabled.error', 'Login failed because guest access is disabled.');
    }
    return identity;
  }
}
