import {
  composeName,
  InvalidValueError,
  MAX_QUOTED_LENGTH,
  printable,
  quote,
  validateNamespace,
  validateObjectName,
} from '../lib/names';

describe('validateNamespace', () => {
  test('accepts a DNS-1123 label of up to 63 characters', () => {
    expect(validateNamespace('ns', 'istio-system')).toBe('istio-system');
    expect(validateNamespace('ns', 'a'.repeat(63))).toBe('a'.repeat(63));
  });

  test.each(['', 'Istio', 'istio.system', '-istio', 'istio-', 'a'.repeat(64)])(
    'fails on %j',
    (value) => {
      expect(() => validateNamespace('ns', value)).toThrow(
        `ns ${JSON.stringify(value)} is not a valid namespace: use a DNS-1123 label`,
      );
    },
  );

  test('fails on a non-string', () => {
    expect(() => validateNamespace('ns', 7)).toThrow('ns must be a string, got 7');
  });
});

describe('validateObjectName', () => {
  test('accepts a DNS-1123 subdomain of up to 253 characters', () => {
    expect(validateObjectName('name', 'istio.waypoint-1')).toBe('istio.waypoint-1');
    expect(validateObjectName('name', 'a'.repeat(253))).toBe('a'.repeat(253));
  });

  test.each(['', 'Gateway', 'gate_way', 'gate..way', 'a'.repeat(254)])('fails on %j', (value) => {
    expect(() => validateObjectName('name', value)).toThrow(
      `name ${JSON.stringify(value)} is not a valid Kubernetes name: use a DNS-1123 subdomain`,
    );
  });
});

describe('composeName', () => {
  test('joins parts with dashes', () => {
    expect(composeName('app', ['istio-k8s', 'istio-system', 'x'])).toBe('istio-k8s-istio-system-x');
  });

  test('fails on a result longer than 253 characters, naming the field to shorten', () => {
    expect(() => composeName('app', ['a'.repeat(250), 'xyz'])).toThrow(
      'makes the name "' +
        'a'.repeat(250) +
        '-xyz" 254 characters long; Kubernetes allows at most 253: shorten app',
    );
  });

  test('fails on an invalid result', () => {
    expect(() => composeName('app', ['', 'x'])).toThrow('app makes the name "-x" invalid');
  });
});

describe('InvalidValueError', () => {
  test('keeps field, problem and path apart and renders them in order', () => {
    const error = new InvalidValueError('app', 'is bad', 'chart/ingress');
    expect(error.message).toBe('chart/ingress: app is bad');
    expect(error.withFieldPrefix('ingress.').message).toBe('chart/ingress: ingress.app is bad');
    expect(new InvalidValueError('app', 'is bad').withPath('p').message).toBe('p: app is bad');
  });
});

describe('quote', () => {
  test('renders values as JSON, and undefined as a word', () => {
    expect(quote('x')).toBe('"x"');
    expect(quote(['a'])).toBe('["a"]');
    expect(quote(undefined)).toBe('undefined');
  });

  test('renders what JSON cannot without failing itself', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(quote(1n)).toBe('1');
    expect(quote(Symbol('s'))).toBe('Symbol(s)');
    expect(quote(() => 1)).toBe('a function');
    expect(quote(circular)).toBe('[object Object]');
    expect(quote(new Set(['a']))).toBe('a Set');
    expect(quote(new Map())).toBe('a Map');
    expect(quote(new Date(0))).toBe('a Date');
  });
});

describe('quote (hostile values)', () => {
  test('cuts a value longer than MAX_QUOTED_LENGTH, saying how long it was', () => {
    const long = quote('a'.repeat(10 * 1024 * 1024));
    expect(long).toBe(
      `"${'a'.repeat(MAX_QUOTED_LENGTH - 1)}... (${10 * 1024 * 1024 + 2} characters)`,
    );
    expect(quote(Array.from({ length: 100_000 }, () => 'x'))).toMatch(
      /^\["x","x",.*\.\.\. \(400001 characters\)$/,
    );
  });

  test('keeps a value of exactly MAX_QUOTED_LENGTH whole', () => {
    const exact = 'b'.repeat(MAX_QUOTED_LENGTH - 2);
    expect(quote(exact)).toBe(`"${exact}"`);
  });
});

describe('printable', () => {
  test('escapes terminal control characters but keeps line breaks, tabs and other text', () => {
    expect(printable('a\u001b[31mred\u0007\n\tb\u009bé')).toBe(
      'a\\u001b[31mred\\u0007\n\tb\\u009bé',
    );
  });
});
