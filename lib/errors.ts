import { IConstruct } from 'constructs';
import { InvalidValueError } from './names';

/**
 * Runs `check` and, if it rejects a value, rethrows the error with the construct path in front,
 * so the user sees which construct of their app holds the bad prop.
 */
export function checkProps<T>(construct: IConstruct, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InvalidValueError) {
      throw error.withPath(construct.node.path);
    }
    throw error;
  }
}
