import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** Seconds per code (RFC 6238's X; what every authenticator app uses). */
export const TOTP_PERIOD_SECONDS = 30;

/**
 * A new TOTP secret: 20 random bytes (160 bits, RFC 4226's recommendation and Mattermost's
 * mfaSecretSize), Base32 as authenticator apps take it.
 */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/**
 * The enrolment QR code, a PNG of the otpauth:// URI (`issuer:label`, the label being the email,
 * as Mattermost's GenerateSecret), with error correction H as Mattermost's.
 */
export async function totpQrPng(issuer: string, label: string, secret: string): Promise<Buffer> {
  return QRCode.toBuffer(generateURI({ issuer, label, secret }), { type: 'png', errorCorrectionLevel: 'H' });
}

/** Six digits, after trimming: anything else is not a code at all (Mattermost's dgoogauth refuses it before checking). */
export function isTotpCode(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * The time step (RFC 6238's T) whose code `code` is, or undefined when it is none of the current
 * step, the one before and the one after (Mattermost's WindowSize 3, for clock drift). The caller
 * refuses a step already used (same user and step) with SsoFlowsRepository.useOnce.
 */
export async function totpStep(secret: string, code: string, nowMs = Date.now()): Promise<number | undefined> {
  if (!isTotpCode(code)) return undefined;
  const result = await verify({ secret, token: code, epoch: Math.floor(nowMs / 1000), epochTolerance: TOTP_PERIOD_SECONDS });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** Until when a code of `step` could still be accepted (the last moment it is inside the window), in ms. */
export function totpStepExpiry(step: number): number {
  return (step + 2) * TOTP_PERIOD_SECONDS * 1000;
}
