import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { checkProps } from '../lib/errors';
import { InvalidValueError } from '../lib/names';

describe('checkProps', () => {
  const construct = new Construct(Testing.chart(), 'thing');

  test('returns what the check returns', () => {
    expect(checkProps(construct, () => 42)).toBe(42);
  });

  test('adds the construct path to a refused value', () => {
    expect(() =>
      checkProps(construct, () => {
        throw new InvalidValueError('field', 'is wrong');
      }),
    ).toThrow(/^test\/thing: field is wrong$/);
  });

  test('passes other errors through unchanged', () => {
    const error = new TypeError('boom');
    expect(() =>
      checkProps(construct, () => {
        throw error;
      }),
    ).toThrow(error);
  });
});
