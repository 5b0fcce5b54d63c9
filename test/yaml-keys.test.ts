import { parseDocument } from 'yaml';
import { findDuplicateKey } from '../lib/yaml-keys';

const find = (text: string) => findDuplicateKey(parseDocument(text, { uniqueKeys: false }));

describe('findDuplicateKey', () => {
  test('returns undefined when every mapping has distinct keys', () => {
    expect(find('a: 1\nb: {a: 1, b: 2}\nc: [{a: 1}, {a: 2}]\n')).toBeUndefined();
    expect(find('')).toBeUndefined();
  });

  test('finds a key written twice, at its second occurrence', () => {
    const text = 'a: 1\nb: 2\na: 3\n';
    expect(find(text)).toEqual({ key: 'a', offset: text.lastIndexOf('a:') });
  });

  test('finds duplicates in nested, flow and sequence-held mappings', () => {
    expect(find('spec:\n  rules:\n  - from: []\n    from: []\n')?.key).toBe('from');
    expect(find('x: {y: 1, y: 2}\n')?.key).toBe('y');
    expect(find('- [{k: 1, k: 2}]\n')?.key).toBe('k');
  });

  test('compares keys as the yaml package does: same value and same type', () => {
    expect(find('1: a\n"1": b\n')).toBeUndefined();
    expect(find('1: a\n1: b\n')?.key).toBe('1');
    expect(find('? [a]\n: 1\n? [a]\n: 2\n')).toBeUndefined();
  });

  test('reads a mapping of 50,000 keys, and finds a duplicate at its very end', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `k${i}: v`);
    expect(find(keys.join('\n'))).toBeUndefined();
    expect(find([...keys, 'k0: again'].join('\n'))?.key).toBe('k0');
  });
});
