/**
 * A mistake in something the user wrote (a file, a flag, a message). The CLI prints its
 * message alone, without a stack trace, and exits non-zero; anything else is a bug.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** Where the mistake is: `file:line`, `file:$.json.path`, or a flag name. */
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'UserError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
