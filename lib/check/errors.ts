import { InvalidValueError } from '../names';

/**
 * Bad input to the checker: a manifest, a policy or a cases file that cannot be read as written.
 *
 * The message reads `<file>: <field> <problem>`, so the user can open the file at the field. The
 * CLI turns it into exit code 2.
 */
export class CheckInputError extends Error {
  constructor(
    /** The file that holds the bad value, as the user named it. */
    public readonly file: string,
    /** Where in the file: a document and a field path such as `cases[2].to.port`. */
    public readonly field: string,
    /** What is wrong and what is allowed instead. */
    public readonly problem: string,
  ) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'CheckInputError';
  }

  /** Attributes an {@link InvalidValueError} raised while reading `file` to that file. */
  public static fromInvalidValue(
    file: string,
    error: InvalidValueError,
    fieldPrefix = '',
  ): CheckInputError {
    return new CheckInputError(file, `${fieldPrefix}${error.field}`, error.problem);
  }
}
