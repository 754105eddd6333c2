/** What the deploy files' checks share: which MM_* names are settings, and where the files are. */
import { join } from 'node:path';
import { defaultConfig, envName } from '#config';
import { REPO_ROOT } from '#testing';

export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

/** Every MM_<SECTION>_<SETTING> name the server reads (libs/config defaults). */
export const SETTING_ENV_NAMES: ReadonlySet<string> = new Set(
  Object.entries(defaultConfig).flatMap(([section, settings]) => Object.keys(settings).map((setting) => envName(section, setting))),
);

/** MM_ variables that are not settings but the server reads: the config file's path. */
const OTHER_MM_VARIABLES = new Set(['MM_CONFIG']);

/** The MM_ names among `names` that are neither a setting nor MM_CONFIG (a typo, or a setting since renamed). */
export function unknownSettings(names: Iterable<string>): string[] {
  return [...names].filter((name) => name.startsWith('MM_') && !SETTING_ENV_NAMES.has(name) && !OTHER_MM_VARIABLES.has(name));
}

/** The port of a ListenAddress-like value (":8065", "0.0.0.0:8067"). */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}
