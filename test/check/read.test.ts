// The strict YAML readers every other reader builds on.
import {
  readMap,
  readList,
  readString,
  readStringMap,
  rejectUnknownKeys,
} from '../../lib/check/read';

describe('readers', () => {
  test('return values of the right type', () => {
    expect(readMap('f', { a: 1 })).toEqual({ a: 1 });
    expect(readList('f', undefined)).toEqual([]);
    expect(readStringMap('f', { a: 'b' })).toEqual({ a: 'b' });
  });

  test.each<[string, () => unknown, string]>([
    ['a list for a map', () => readMap('spec', []), 'spec must be a mapping, got []'],
    ['a number for a string', () => readString('name', 3), 'name must be a string, got 3'],
    ['a map for a list', () => readList('rules', {}), 'rules must be a list, got {}'],
    ['a number label', () => readStringMap('labels', { a: 1 }), 'labels.a must be a string, got 1'],
    [
      'an unknown key',
      () => rejectUnknownKeys('spec', { x: 1 }, ['a', 'b']),
      'spec.x is not a known field; allowed here: a, b',
    ],
  ])('fail on %s', (_, read, message) => {
    expect(read).toThrow(message);
  });
});
