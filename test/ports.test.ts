import { parsePort, parsePorts } from '../lib';

describe('parsePort', () => {
  test('writes numbers as the strings the schema requires', () => {
    expect(parsePort('ports', 8080)).toBe('8080');
    expect(parsePort('ports', 1)).toBe('1');
    expect(parsePort('ports', 65535)).toBe('65535');
    expect(parsePort('ports', '9080')).toBe('9080');
  });

  test.each([
    [0, 'has 0, which is outside the port range 1 to 65535'],
    [65536, 'has 65536, which is outside the port range 1 to 65535'],
    [-1, 'has -1, which is outside the port range 1 to 65535'],
    ['70000', 'has "70000", which is outside the port range 1 to 65535'],
    [80.5, 'has 80.5, which is not a port number: give a whole number from 1 to 65535'],
    ['080', 'has "080", which is not a port number'],
    [' 80', 'has " 80", which is not a port number'],
    [null, 'has null, which is not a port number'],
    [
      'http',
      'has "http", which is not a port number: give a whole number from 1 to 65535; named ports ' +
        'are not supported, use the container (target) port number',
    ],
  ])('fails on %p', (port, message) => {
    expect(() => parsePort('ports[0]', port)).toThrow(`ports[0] ${message}`);
  });
});

describe('parsePorts', () => {
  test('keeps each port once, in order', () => {
    expect(parsePorts('ports', [9080, 15020, '9080'])).toEqual(['9080', '15020']);
  });

  test('fails on an empty list, which would match every port', () => {
    expect(() => parsePorts('ports', [])).toThrow(
      'ports is an empty list, which would match every port: give at least one port, or leave ' +
        'the field out to allow every port on purpose',
    );
    expect(() => parsePorts('ports', 8080 as unknown as number[])).toThrow(
      'ports must be a list of port numbers, got 8080',
    );
  });

  test('names the index of the bad port', () => {
    expect(() => parsePorts('rules[0].ports', [80, 'http'])).toThrow(
      'rules[0].ports[1] has "http"',
    );
  });
});
