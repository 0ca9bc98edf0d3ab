/**
 * A mistake in something the user wrote (a file, a flag, a message). The CLI prints its
 * message alone, without a stack trace, and exits non-zero; anything else is a bug.
 */
const BRAND = Symbol.for('roadcast.UserError');

export class UserError extends Error {
  readonly [BRAND] = true;

  constructor(
    message: string,
    /** Where the mistake is: `file:line`, `file:$.json.path`, or a flag name. */
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'UserError';
  }

  /**
   * By brand, not by class: a TypeScript scenario imports roadcast through its own loader and
   * may get a second copy of this module, whose errors are user errors all the same.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
