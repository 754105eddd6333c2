/**
 * The config pages: GET /config (and /config/environment for what MM_* variables set), PUT /config
 * with the whole config, POST /file/s3_test. A refused save throws the server's AppError, whose
 * message the form shows next to itself (and next to the setting it names).
 */
import type { AdminConfig } from '@mattermost/types/config';
import { client } from '../api/client';
import { receivedServerConfig, type ServerConfig } from '../state/console-config';
import { store } from '../state/store';
import { updateConsole } from './console-update';

export async function loadServerConfig(): Promise<void> {
  const [config, environment] = await Promise.all([client.getConfig(), client.getEnvironmentConfig()]);
  updateConsole('config', (s) => receivedServerConfig(s, config as unknown as ServerConfig, environment as unknown as ServerConfig));
}

/** Saves the config; what the server answers (masked again) is the new saved config. */
export async function saveServerConfig(config: ServerConfig): Promise<void> {
  const saved = await client.updateConfig(config as unknown as AdminConfig);
  updateConsole('config', (s) => receivedServerConfig(s, saved as unknown as ServerConfig));
}

/** Tests the S3 settings as the form holds them (masked secrets are the saved ones, as the server reads them). */
export async function testS3(config: ServerConfig): Promise<void> {
  await client.testS3Connection(config as unknown as AdminConfig);
}

export const savedConfig = (): ServerConfig | undefined => store.get().adminConsole.config.saved;
