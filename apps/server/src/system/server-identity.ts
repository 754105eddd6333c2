import { Injectable, OnModuleInit } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { newId } from '#common';
import { SystemsRepository } from './systems.repository.js';

/** The Systems rows, under Mattermost's names. */
const DIAGNOSTIC_ID = 'DiagnosticId';
const SIGNING_KEY = 'AsymmetricSigningKey';

/**
 * Who this installation is, the same on every node of a cluster: its DiagnosticId (the client
 * config's DiagnosticId, and the server_id of every push) and its asymmetric signing key (an ECDSA
 * P-256 key: pushes carry an ES256 signature the mobile apps verify with the public half, which
 * the client config announces as AsymmetricSigningPublicKey). Both are made once, kept in the
 * Systems table (a PKCS#8 PEM for the key) and read at start, so using them never waits on the
 * database.
 */
@Injectable()
export class ServerIdentity implements OnModuleInit {
  private id = '';
  private privateKey?: KeyObject;
  private publicKeyBase64 = '';

  constructor(private readonly systems: Pick<SystemsRepository, 'getOrInsert'>) {}

  async onModuleInit(): Promise<void> {
    this.id = await this.systems.getOrInsert(DIAGNOSTIC_ID, newId());
    const pem = await this.systems.getOrInsert(SIGNING_KEY, newSigningKeyPem());
    this.useKey(pem);
  }

  /** The DiagnosticId ('' until the module has started). */
  get diagnosticId(): string {
    return this.id;
  }

  /** The private signing key (ES256). */
  get signingKey(): KeyObject {
    if (!this.privateKey) throw new Error('the server identity is not loaded');
    return this.privateKey;
  }

  /** The public half as base64 DER (SubjectPublicKeyInfo), as Mattermost's client config gives it. */
  get signingPublicKey(): string {
    return this.publicKeyBase64;
  }

  private useKey(pem: string): void {
    this.privateKey = createPrivateKey(pem);
    this.publicKeyBase64 = createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  }
}

function newSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** An identity made in memory, for specs. */
export function memoryServerIdentity(diagnosticId = newId()): ServerIdentity {
  const identity = new ServerIdentity({ getOrInsert: async (name, value) => (name === DIAGNOSTIC_ID ? diagnosticId : value) });
  Object.assign(identity, { id: diagnosticId });
  (identity as unknown as { useKey(pem: string): void }).useKey(newSigningKeyPem());
  return identity;
}
