import { InvalidValueError, quote } from './names';

/**
 * Checks of the props objects themselves, for callers without a type checker (plain JavaScript,
 * props read from JSON or YAML): a misspelt or misplaced prop must be an error, because ignoring
 * it would silently leave a default (often the widest setting) in its place.
 */

/**
 * Whether `value` is a plain object. Map, Set, Date and class instances are not: their entries
 * are not props, and spreading them yields nothing.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Returns `props` if it is a plain object (or undefined, read as no props) whose keys are all in
 * `allowed`, else throws an error naming `field` and the allowed keys.
 */
export function checkPropsObject<T extends object>(
  field: string,
  props: T | undefined,
  allowed: readonly string[],
): T {
  if (props === undefined) {
    return {} as T;
  }
  if (!isPlainObject(props)) {
    throw new InvalidValueError(field, `must be an object of props, got ${quote(props)}`);
  }
  for (const key of Object.keys(props)) {
    if (!allowed.includes(key)) {
      throw new InvalidValueError(
        field,
        `has the unknown prop ${quote(key)}; allowed: ${allowed.join(', ')}`,
      );
    }
  }
  return props;
}

/** `value`, or `fallback` when it is undefined. Unlike `??`, null stays null and is refused later. */
export function withDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}
