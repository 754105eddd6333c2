import { AppError } from '#common';

/**
 * The AppError a service call is refused with, for service specs to check its id and status;
 * fails when the call succeeds or fails with anything else.
 */
export async function expectAppError(call: Promise<unknown>): Promise<AppError> {
  const outcome = await call.then(
    () => undefined,
    (err: unknown) => err ?? new Error(`rejected with ${String(err)}`),
  );
  if (outcome instanceof AppError) return outcome;
  throw new Error(outcome === undefined ? 'expected an AppError, the call succeeded' : `expected an AppError, got ${String(outcome)}`, { cause: outcome });
}
