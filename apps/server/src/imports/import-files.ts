import { posix } from 'node:path';
import { invalidUrlParam } from '#common';

/** ImportSettings.Directory as a store folder (Mattermost's filepath.Clean: "./import" is "import"). */
export function importDirectory(setting: string): string {
  return posix.normalize(setting || './import').replace(/\/+$/, '');
}

/**
 * An import file's name as the URL and the job's data give it: Mattermost's route takes names
 * ending in ".zip"; a name that would reach outside the directory is refused here.
 */
export function importFileName(name: string): string {
  if (!name.endsWith('.zip') || Buffer.byteLength(name) > 255 || /[\\/\0]/.test(name) || name.startsWith('..')) throw invalidUrlParam('import_name');
  return name;
}
