import { CheckInputError } from '../../lib/check/errors';
import { InvalidValueError } from '../../lib/names';

describe('CheckInputError', () => {
  test('reads <file>: <field> <problem>', () => {
    expect(new CheckInputError('a.yaml', 'spec.x', 'is wrong').message).toBe(
      'a.yaml: spec.x is wrong',
    );
  });

  test('attributes an InvalidValueError to a file, with a field prefix', () => {
    const error = CheckInputError.fromInvalidValue(
      'c.yaml',
      new InvalidValueError('to.port', 'is 81'),
      'cases[0].',
    );
    expect([error.file, error.field, error.problem, error.message]).toEqual([
      'c.yaml',
      'cases[0].to.port',
      'is 81',
      'c.yaml: cases[0].to.port is 81',
    ]);
  });
});
