import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Config, defaultConfig } from './defaults.js';
import { applyEnvOverrides, ConfigError, mergeWithDefaults, validateConfig } from './config-schema.js';

export type ConfigListener = (oldConfig: Config, newConfig: Config) => void;

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
 * Holds the effective config: the file (or defaults) with MM_* overrides on top.
 * Saving writes the file without the environment's values, so an override never leaks into it.
 */
export class ConfigService {
  private fileConfig: Config;
  private effective: Config;
  private overridden: Record<string, Record<string, unknown>> = {};
  private readonly listeners = new Set<ConfigListener>();

  constructor(
    readonly path: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.fileConfig = mergeWithDefaults(readConfigFile(path));
    this.effective = this.withEnv(this.fileConfig);
    if (!existsSync(path)) this.writeFile(this.fileConfig);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ConfigService {
    return new ConfigService(configPathFromEnv(env), env);
  }

  get(): Config {
    return this.effective;
  }

  environmentOverrides(): Record<string, Record<string, unknown>> {
    return structuredClone(this.overridden);
  }

  /** Validates and saves a whole config; env-overridden settings keep their file values. */
  save(next: Config): Config {
    const merged = mergeWithDefaults(next);
    const forFile = this.keepFileValuesForOverrides(merged);
    const effective = this.withEnv(forFile);
    this.writeFile(forFile);
    this.fileConfig = forFile;
    this.swap(effective);
    return effective;
  }

  /** Re-reads the file (POST /config/reload, or another process changed it). */
  reload(): Config {
    const fileConfig = mergeWithDefaults(readConfigFile(this.path));
    const effective = this.withEnv(fileConfig);
    this.fileConfig = fileConfig;
    this.swap(effective);
    return effective;
  }

  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A stable hash of the config, used in X-Version-ID and later to compare nodes. */
  hash(): string {
    const { ClusterSettings: _ignored, ...rest } = this.effective;
    return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 32);
  }

  private withEnv(fileConfig: Config): Config {
    const { config, overridden } = applyEnvOverrides(fileConfig, this.env);
    validateConfig(config);
    this.overridden = overridden;
    return config;
  }

  private keepFileValuesForOverrides(next: Config): Config {
    const copy = structuredClone(next) as unknown as Record<string, Record<string, unknown>>;
    const file = this.fileConfig as unknown as Record<string, Record<string, unknown>>;
    for (const [section, settings] of Object.entries(this.overridden)) {
      for (const setting of Object.keys(settings)) copy[section][setting] = file[section][setting];
    }
    return copy as unknown as Config;
  }

  private swap(next: Config) {
    const old = this.effective;
    this.effective = next;
    for (const listener of this.listeners) listener(old, next);
  }

  private writeFile(config: Config) {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(config, null, 4) + '\n');
    renameSync(tmp, this.path);
  }
}

export { defaultConfig };
