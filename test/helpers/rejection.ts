import { ModuleError } from '../../src/errors/codes.js';

/** The ModuleError a promise rejects with; fails the test if it resolves or rejects with something else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ModuleError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ModuleError) return err;
    throw new Error(`expected a ModuleError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The ModuleError an action throws; fails the test if it returns or throws something else. */
export function thrownBy(action: () => unknown): ModuleError {
  try {
    action();
  } catch (err) {
    if (err instanceof ModuleError) return err;
    throw new Error(`expected a ModuleError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected an error, but nothing was thrown');
}
