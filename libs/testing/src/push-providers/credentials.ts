/**
 * The credentials a push proxy needs, made for a test: an APNs auth key (.p8: a P-256 key in
 * PKCS#8 PEM, as Apple's developer account hands it out, with its key id and team id) and a
 * Firebase service-account JSON (as the Firebase console downloads it, with token_uri pointing at
 * the local OAuth endpoint). The stand-in providers keep the public halves to verify signatures.
 */
import { generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ApnsAuthKey {
  /** The .p8 file (AppleAuthKeyFile). */
  keyFile: string;
  /** AppleAuthKeyID: ten characters, as Apple's. */
  keyId: string;
  /** AppleTeamID: ten characters, as Apple's. */
  teamId: string;
  publicKey: KeyObject;
}

export interface ServiceAccountFile {
  /** The JSON file (ServiceFileLocation). */
  file: string;
  clientEmail: string;
  projectId: string;
  privateKeyId: string;
  tokenUri: string;
  publicKey: KeyObject;
}

const appleId = () => randomBytes(8).toString('hex').toUpperCase().slice(0, 10);

/** Writes AuthKey_{keyId}.p8 into `dir`. */
export function writeApnsAuthKey(dir: string, ids: { keyId?: string; teamId?: string } = {}): ApnsAuthKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyId = ids.keyId ?? appleId();
  const keyFile = join(dir, `AuthKey_${keyId}.p8`);
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { keyFile, keyId, teamId: ids.teamId ?? appleId(), publicKey };
}

/** Writes service-account.json into `dir`, for `projectId`, getting its tokens at `tokenUri`. */
export function writeServiceAccount(dir: string, tokenUri: string, projectId = 'mmchat-test'): ServiceAccountFile {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyId = randomBytes(20).toString('hex');
  const clientEmail = `firebase-adminsdk-${randomBytes(3).toString('hex')}@${projectId}.iam.gserviceaccount.com`;
  const file = join(dir, 'service-account.json');
  const json = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: privateKeyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: clientEmail,
    client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
  };
  writeFileSync(file, JSON.stringify(json, null, 2), { mode: 0o600 });
  return { file, clientEmail, projectId, privateKeyId, tokenUri, publicKey };
}

/** A device token as iOS hands them out: 32 random bytes in hex. */
export const apnsDeviceToken = (): string => randomBytes(32).toString('hex');

/** An FCM registration token of the usual shape ("{instance id}:APA91b…"). */
export const fcmRegistrationToken = (): string => `${randomBytes(16).toString('base64url').slice(0, 22)}:APA91b${randomBytes(96).toString('base64url')}`;
