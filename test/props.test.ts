import { checkPropsObject, isPlainObject, withDefault } from '../lib/props';

describe('isPlainObject', () => {
  test('accepts object literals and null-prototype objects', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
  });

  test.each([
    ['null', null],
    ['an array', []],
    ['a Map', new Map()],
    ['a Set', new Set()],
    ['a Date', new Date(0)],
    ['a string', 'x'],
    ['a class instance', new (class Props {})()],
  ])('refuses %s', (_what, value) => {
    expect(isPlainObject(value)).toBe(false);
  });
});

describe('checkPropsObject', () => {
  test('reads undefined as no props', () => {
    expect(checkPropsObject('props', undefined, ['a'])).toEqual({});
  });

  test('returns props whose keys are all allowed', () => {
    const props = { a: 1 };
    expect(checkPropsObject('props', props, ['a', 'b'])).toBe(props);
  });

  test('fails on an unknown key, listing the allowed ones', () => {
    expect(() => checkPropsObject('props', { c: 1 }, ['a', 'b'])).toThrow(
      'props has the unknown prop "c"; allowed: a, b',
    );
  });

  test('fails on a value that is not a plain object', () => {
    expect(() => checkPropsObject('props', new Map() as never, ['a'])).toThrow(
      'props must be an object of props, got a Map',
    );
  });
});

describe('withDefault', () => {
  test('replaces undefined only, so that null reaches the checks and is refused there', () => {
    expect(withDefault(undefined, 'x')).toBe('x');
    expect(withDefault(null, 'x')).toBeNull();
    expect(withDefault('', 'x')).toBe('');
    expect(withDefault(false, true)).toBe(false);
  });
});
