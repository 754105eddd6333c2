/**
 * The APNs provider token (token-based authentication): an ES256 JWT {alg, kid}{iss: team id,
 * iat} signed with the .p8 key. APNs refuses a token older than an hour (ExpiredProviderToken)
 * and one replaced more often than every 20 minutes (TooManyProviderTokenUpdates), so a token is
 * reused and renewed after 50 minutes, as sideshow/apns2 (Mattermost's APNs client) does.
 */
import { createPrivateKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signJwt } from '../jwt.js';

export const TOKEN_RENEW_AFTER_MS = 50 * 60 * 1000;

/** Reads an Apple .p8 auth key (PKCS#8 PEM, P-256); throws when it is not one. */
export function readAuthKey(file: string): KeyObject {
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${file} is not an APNs auth key (an EC P-256 private key)`);
  }
  return key;
}

export class ApnsProviderToken {
  private token = '';
  private issuedAtMs = 0;

  constructor(
    private readonly key: KeyObject,
    private readonly keyId: string,
    private readonly teamId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current token, renewed when it is 50 minutes old. */
  bearer(): string {
    if (!this.token || this.now() - this.issuedAtMs >= TOKEN_RENEW_AFTER_MS) this.renew();
    return this.token;
  }

  /**
   * A new token now, whatever the age of the current one: after APNs answered
   * ExpiredProviderToken the current one is of no use (a clock off by more than the margin).
   */
  renew(): string {
    this.issuedAtMs = this.now();
    this.token = signJwt('ES256', this.key, { kid: this.keyId }, { iss: this.teamId, iat: Math.floor(this.issuedAtMs / 1000) });
    return this.token;
  }
}
