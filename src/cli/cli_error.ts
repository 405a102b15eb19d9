/**
 * A mistake of the person at the terminal (unknown option, bad value, missing folder):
 * printed as one line without a stack trace, exit code 2.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const USAGE_EXIT_CODE = 2;
