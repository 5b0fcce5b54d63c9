/**
 * Small strict readers for parsed YAML: each returns the value with its expected type or throws
 * an {@link InvalidValueError} naming the field path, so every reader of manifests and cases
 * reports a wrong type the same way.
 */
import { InvalidValueError, quote } from '../names';

/** A parsed YAML mapping. */
export type YamlMap = Record<string, unknown>;

/** Whether `value` is a mapping (not null, not a list). */
export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns `value` as a mapping, or throws naming `field`. */
export function readMap(field: string, value: unknown): YamlMap {
  if (!isMap(value)) {
    throw new InvalidValueError(field, `must be a mapping, got ${quote(value)}`);
  }
  return value;
}

/** Returns `value` as a mapping, an empty one when absent or null. */
export function readOptionalMap(field: string, value: unknown): YamlMap {
  return value === undefined || value === null ? {} : readMap(field, value);
}

/** Returns `value` as a string, or throws naming `field`. */
export function readString(field: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidValueError(field, `must be a string, got ${quote(value)}`);
  }
  return value;
}

/** Returns `value` as a string, or undefined when absent or null. */
export function readOptionalString(field: string, value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : readString(field, value);
}

/** Returns `value` as a list, an empty one when absent or null. */
export function readList(field: string, value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new InvalidValueError(field, `must be a list, got ${quote(value)}`);
  }
  return value;
}

/** Returns `value` as a list of strings, an empty one when absent or null. */
export function readStringList(field: string, value: unknown): string[] {
  return readList(field, value).map((item, index) => readString(`${field}[${index}]`, item));
}

/** Returns `value` as a map of strings to strings (labels, matchLabels), empty when absent. */
export function readStringMap(field: string, value: unknown): Record<string, string> {
  const map = readOptionalMap(field, value);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(map)) {
    result[key] = readString(`${field}.${key}`, item);
  }
  return result;
}

/**
 * Throws when `map` has a key outside `allowed`, so a misspelt field is reported instead of
 * being ignored (a misspelt `principals` would otherwise widen a rule to every source).
 */
export function rejectUnknownKeys(field: string, map: YamlMap, allowed: readonly string[]): void {
  for (const key of Object.keys(map)) {
    if (!allowed.includes(key)) {
      throw new InvalidValueError(
        field === '' ? key : `${field}.${key}`,
        `is not a known field; allowed here: ${allowed.join(', ')}`,
      );
    }
  }
}
