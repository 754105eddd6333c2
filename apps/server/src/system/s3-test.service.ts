import { Injectable } from '@nestjs/common';
import { AppError, badRequest } from '#common';
import { Config, ConfigService, FAKE_SETTING } from '#config';
import { FileStoreError, S3FileStore, s3Settings, S3StoreError } from '#storage';

type FileSettings = Config['FileSettings'];

/** POST /file/s3_test: Mattermost's testS3, the System Console's "Test Connection" for Amazon S3. */
@Injectable()
export class S3TestService {
  constructor(private readonly config: ConfigService) {}

  /**
   * Tests the AmazonS3* settings of the config in the body (what the admin is editing), or of the
   * current config when the body has none. The masked secret the console shows stands for the saved one.
   */
  async test(body: unknown): Promise<void> {
    const current = this.config.get().FileSettings;
    const f = withOverrides(current, body);
    if (f.AmazonS3SecretAccessKey === FAKE_SETTING) f.AmazonS3SecretAccessKey = current.AmazonS3SecretAccessKey;
    // Mattermost's CheckMandatoryS3Fields: a bucket is needed; an empty endpoint means AWS.
    if (!f.AmazonS3Bucket) throw badRequest('api.admin.test_s3.missing_s3_bucket', 'S3 Bucket is required');
    if (!f.AmazonS3Endpoint) f.AmazonS3Endpoint = 's3.amazonaws.com';
    let store: S3FileStore;
    try {
      store = new S3FileStore(s3Settings(f));
    } catch (err) {
      // SignV2 or a path prefix that climbs out: settings the admin must change.
      if (err instanceof FileStoreError) throw badRequest('api.file.test_connection.app_error', err.message);
      throw err;
    }
    try {
      await store.testConnection();
    } catch (err) {
      throw testError(err);
    } finally {
      store.client.destroy();
    }
  }
}

/** Mattermost answers 500 for every failure; here a missing bucket or refused credentials are the
 * S3 server's answer (502, the gateway's), and the message never carries the secret. */
function testError(err: unknown): AppError {
  const problem = err instanceof S3StoreError ? err.problem : 'unreachable';
  const message = err instanceof S3StoreError ? err.message : 'the S3 connection test failed';
  if (problem === 'no_bucket')
    return new AppError('', 'api.file.test_connection_s3_bucket_does_not_exist.app_error', `Ensure your Amazon S3 bucket is available: ${message}`, 502);
  if (problem === 'auth')
    return new AppError(
      '',
      'api.file.test_connection_s3_auth.app_error',
      `Unable to connect to S3. Verify your Amazon S3 connection authorization parameters: ${message}`,
      502,
    );
  return new AppError('', 'api.file.test_connection.app_error', `Unable to access the file storage: ${message}`, 502);
}

/** The body's FileSettings values (when they have the right type) over the current ones. */
function withOverrides(current: FileSettings, body: unknown): FileSettings {
  const next = { ...current };
  const given = body && typeof body === 'object' ? (body as { FileSettings?: unknown }).FileSettings : undefined;
  if (!given || typeof given !== 'object' || Array.isArray(given)) return next;
  for (const [key, value] of Object.entries(given)) {
    if (key in current && typeof value === typeof current[key as keyof FileSettings]) (next as Record<string, unknown>)[key] = value;
  }
  return next;
}
