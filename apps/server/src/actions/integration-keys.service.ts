import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SystemsRepository } from '../system/systems.repository.js';

/** The Systems rows of the keys: Mattermost keeps PostActionCookieSecret there too (and its trigger id key as AsymmetricSigningKey). */
const COOKIE_SECRET = 'PostActionCookieSecret';
const TRIGGER_KEY = 'InteractiveTriggerIdKey';

/**
 * The server's secrets for interactive messages: the key that signs trigger ids and the secret that
 * seals ephemeral posts' action cookies. Made once per installation and kept in the Systems table,
 * so every node of a cluster signs and reads the same way; read at start, so using them never
 * waits on the database.
 */
@Injectable()
export class IntegrationKeys implements OnModuleInit {
  private cookie?: Buffer;
  private trigger?: Buffer;

  constructor(private readonly systems: Pick<SystemsRepository, 'getOrInsert'>) {}

  async onModuleInit(): Promise<void> {
    this.cookie = Buffer.from(await this.systems.getOrInsert(COOKIE_SECRET, randomBytes(32).toString('base64')), 'base64');
    this.trigger = Buffer.from(await this.systems.getOrInsert(TRIGGER_KEY, randomBytes(32).toString('base64')), 'base64');
  }

  get cookieSecret(): Buffer {
    if (!this.cookie) throw new Error('integration keys are not loaded');
    return this.cookie;
  }

  get triggerKey(): Buffer {
    if (!this.trigger) throw new Error('integration keys are not loaded');
    return this.trigger;
  }
}

/** Keys made in memory, for specs. */
export function memoryIntegrationKeys(): IntegrationKeys {
  const keys = new IntegrationKeys({ getOrInsert: async (_name, value) => value });
  Object.assign(keys, { cookie: randomBytes(32), trigger: randomBytes(32) });
  return keys;
}
