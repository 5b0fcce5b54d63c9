import { InvalidValueError, quote } from './names';

/** The lowest and highest TCP port an AuthorizationPolicy can name. */
export const MIN_PORT = 1;
/** The highest TCP port. */
export const MAX_PORT = 65535;

const DIGITS = /^(0|-?[1-9][0-9]*)$/;

/**
 * Returns `port` as the numeric string the AuthorizationPolicy schema requires (`8080` becomes
 * `"8080"`), or throws an error naming `field`.
 *
 * A named port (`"http"`) is refused: Istio's validation rejects it, and istiod leaves a port it
 * cannot parse out of what it sends to ztunnel, so the rule would silently never match there.
 */
export function parsePort(field: string, port: unknown): string {
  const text = typeof port === 'number' && Number.isInteger(port) ? String(port) : port;
  if (typeof text !== 'string' || !DIGITS.test(text)) {
    const named = typeof port === 'string' && /^[a-z]/i.test(port);
    throw new InvalidValueError(
      field,
      `has ${quote(port)}, which is not a port number: ` +
        `give a whole number from ${MIN_PORT} to ${MAX_PORT}` +
        (named ? '; named ports are not supported, use the container (target) port number' : ''),
    );
  }
  const value = Number(text);
  if (value < MIN_PORT || value > MAX_PORT) {
    throw new InvalidValueError(
      field,
      `has ${quote(port)}, which is outside the port range ${MIN_PORT} to ${MAX_PORT}`,
    );
  }
  return text;
}

/**
 * Parses a list of ports with {@link parsePort}, keeping each once in the order given. An empty
 * list is refused, because `ports: []` in a policy matches every port.
 */
export function parsePorts(field: string, ports: readonly unknown[]): string[] {
  if (!Array.isArray(ports)) {
    throw new InvalidValueError(field, `must be a list of port numbers, got ${quote(ports)}`);
  }
  if (ports.length === 0) {
    throw new InvalidValueError(
      field,
      'is an empty list, which would match every port: give at least one port, ' +
        'or leave the field out to allow every port on purpose',
    );
  }
  const result: string[] = [];
  // Array.from turns the holes of a sparse array into undefined, which parsePort refuses.
  Array.from(ports).forEach((port, index) => {
    const text = parsePort(`${field}[${index}]`, port);
    if (!result.includes(text)) {
      result.push(text);
    }
  });
  return result;
}
