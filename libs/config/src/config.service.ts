import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Config, defaultConfig } from './defaults.js';
import { applyEnvOverrides, ConfigError, mergeWithDefaults, validateConfig } from './config-schema.js';

/** `fromPeer`: the change was made on another node of the cluster and only reloaded here. */
export type ConfigListener = (oldConfig: Config, newConfig: Config, fromPeer: boolean) => void;

/** Where a node's config comes from: MM_CONFIG, or config/config.json beside the working directory. */
export function configPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MM_CONFIG || 'config/config.json');
}

function readConfigFile(path: string): unknown {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, `is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The config with a FileSettings.PublicLinkSalt, since public file links are signed with it:
 * Mattermost generates one (32 random characters) when none is set. `keep` is the salt in use,
 * kept when a reload brings none. The same object when it already has one.
 */
export function withPublicLinkSalt(config: Config, keep = ''): Config {
  if (config.FileSettings.PublicLinkSalt !== '') return config;
  const copy = structuredClone(config);
  // 24 random bytes are 32 base64url characters.
  copy.FileSettings.PublicLinkSalt = keep || randomBytes(24).toString('base64url');
  return copy;
}

/** JSON with object keys sorted, so equal configs always serialise alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Where the config is kept: the file, or (in a cluster) the database shared by all nodes. */
export interface ConfigStore {
  /** The stored config (raw JSON), or undefined when nothing is stored yet. */
  load(): Promise<unknown>;
  save(config: Config): Promise<void>;
  /**
   * Stores `config` only if nothing is stored yet, atomically (nodes of a cluster start at once),
   * and returns whichever config is stored afterwards.
   */
  seed(config: Config): Promise<unknown>;
}

/**
 * Holds the effective config: the stored config (file, or database once `useStore` is called)
 * with MM_* overrides on top. Saving never writes the environment's values into the store.
 */
export class ConfigService {
  private fileConfig: Config;
  private effective: Config;
  private overridden: Record<string, Record<string, unknown>> = {};
  private readonly listeners = new Set<ConfigListener>();
  private store: ConfigStore | null = null;
  private hashed: { of: Config; hash: string } | null = null;

  constructor(
    readonly path: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    // A new file gets the generated salt; an existing one without a salt is not rewritten (the salt
    // then lasts as long as the process, unless the config is saved or moved to the database).
    this.fileConfig = withPublicLinkSalt(mergeWithDefaults(readConfigFile(path)));
    this.effective = this.withEnv(this.fileConfig);
    if (!existsSync(path)) this.writeFile(this.fileConfig);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ConfigService {
    return new ConfigService(configPathFromEnv(env), env);
  }

  /**
   * Moves the config to a shared store. An empty store is seeded with the current config; a
   * filled one replaces it (so every node of a cluster runs the same config).
   */
  async useStore(store: ConfigStore): Promise<void> {
    const stored = await store.seed(this.fileConfig);
    this.store = store;
    if (stored === this.fileConfig) return;
    const merged = mergeWithDefaults(stored);
    const salted = withPublicLinkSalt(merged);
    // A stored config without a salt gets one for every node of the cluster.
    if (salted !== merged) await store.save(salted);
    this.apply(salted);
  }

  get(): Config {
    return this.effective;
  }

  environmentOverrides(): Record<string, Record<string, unknown>> {
    return structuredClone(this.overridden);
  }

  /** Validates and saves a whole config; env-overridden settings keep their stored values. */
  async save(next: Config): Promise<Config> {
    const merged = withPublicLinkSalt(mergeWithDefaults(next));
    const forStore = this.keepStoredValuesForOverrides(merged);
    this.withEnv(forStore); // validates before anything is written
    if (this.store) await this.store.save(forStore);
    else this.writeFile(forStore);
    return this.apply(forStore);
  }

  /** Re-reads the store (POST /config/reload, or another node or process changed it). */
  async reload(opts: { fromPeer?: boolean } = {}): Promise<Config> {
    const raw = this.store ? await this.store.load() : readConfigFile(this.path);
    return this.apply(withPublicLinkSalt(mergeWithDefaults(raw ?? {}), this.fileConfig.FileSettings.PublicLinkSalt), opts.fromPeer ?? false);
  }

  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A hash of the stored config (without ClusterSettings), used in X-Version-ID and to compare
   * nodes: the same config gives the same hash on every node whatever its environment overrides
   * (which are node-local: listen address, data directory…) and whatever the key order.
   */
  hash(): string {
    // Every response's X-Version-ID asks for it: compute once per stored config (replaced, never
    // mutated, on change).
    if (this.hashed?.of !== this.fileConfig) {
      const { ClusterSettings: _ignored, ...rest } = this.fileConfig;
      this.hashed = { of: this.fileConfig, hash: createHash('sha256').update(stableJson(rest)).digest('hex').slice(0, 32) };
    }
    return this.hashed.hash;
  }

  private apply(stored: Config, fromPeer = false): Config {
    const effective = this.withEnv(stored);
    this.fileConfig = stored;
    this.swap(effective, fromPeer);
    return effective;
  }

  private withEnv(fileConfig: Config): Config {
    const { config, overridden } = applyEnvOverrides(fileConfig, this.env);
    validateConfig(config);
    this.overridden = overridden;
    return config;
  }

  private keepStoredValuesForOverrides(next: Config): Config {
    const copy = structuredClone(next) as unknown as Record<string, Record<string, unknown>>;
    const file = this.fileConfig as unknown as Record<string, Record<string, unknown>>;
    for (const [section, settings] of Object.entries(this.overridden)) {
      for (const setting of Object.keys(settings)) copy[section][setting] = file[section][setting];
    }
    return copy as unknown as Config;
  }

  private swap(next: Config, fromPeer: boolean) {
    const old = this.effective;
    this.effective = next;
    for (const listener of this.listeners) listener(old, next, fromPeer);
  }

  private writeFile(config: Config) {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(config, null, 4) + '\n');
    renameSync(tmp, this.path);
  }
}

export { defaultConfig };
