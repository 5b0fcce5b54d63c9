/**
 * Request paths as Envoy sees them under Istio's default path normalization, `BASE`
 * (https://istio.io/latest/docs/reference/config/security/normalization/): the normalized path is
 * what routing and authorization both match and what the backend receives.
 *
 * BASE decodes percent-encoded unreserved characters (letters, digits, `-`, `.`, `_`, `~`),
 * turns `\` into `/` and removes `.` and `..` segments as RFC 3986 section 5.2.4 does. It does not
 * merge slashes (`MERGE_SLASHES` does) and does not decode `%2F` or `%5C` (`DECODE_AND_MERGE_SLASHES`
 * does); `%00` makes Envoy answer 400. The query string is left alone and ignored by path matching.
 *
 * What BASE does to anything else (other percent-encodings, characters outside RFC 3986, a
 * fragment) depends on Envoy's codec and settings this checker cannot see, so such a path is
 * refused as bad input rather than guessed at.
 */
import { InvalidValueError, quote } from '../names';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// RFC 3986 pchar plus "/" and "%"; "\" is accepted because BASE turns it into "/".
const PATH_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%\\]$/;
const QUERY_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]$/;
const DOC = "Istio's default path normalization (BASE)";

function refuse(field: string, path: string, problem: string): never {
  throw new InvalidValueError(field, `is ${quote(path)}: ${problem}`);
}

function checkCharacters(field: string, path: string, part: string, allowed: RegExp): void {
  for (const char of part) {
    if (!allowed.test(char)) {
      refuse(
        field,
        path,
        `${quote(char)} is not a character of an RFC 3986 path or query, and what Envoy does ` +
          'with it is not known offline; write the request as it is sent on the wire',
      );
    }
  }
}

function decodeUnreserved(field: string, path: string, part: string): string {
  return part.replace(/%(.{0,2})/g, (escape: string, hex: string) => {
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      refuse(field, path, `${quote(escape)} is not a percent-encoding ("%" and two hex digits)`);
    }
    const char = String.fromCharCode(parseInt(hex, 16));
    if (char === '\0') {
      refuse(field, path, 'Envoy answers a path with %00 with 400 before any policy applies');
    }
    if (!UNRESERVED.test(char)) {
      refuse(
        field,
        path,
        `${DOC} decodes only percent-encoded letters, digits, "-", ".", "_" and "~"; ` +
          `what Envoy does with ${quote(escape)} depends on settings the checker cannot see, ` +
          'so decode it or leave it out',
      );
    }
    return char;
  });
}

/** Removes `.` and `..` segments from an absolute path (RFC 3986 section 5.2.4). */
export function removeDotSegments(path: string): string {
  const segments = path.split('/').slice(1);
  const output: string[] = [];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') {
        output.pop();
      }
      if (last) {
        // A path ending in a dot segment keeps its trailing slash: "/a/b/.." is "/a/".
        output.push('');
      }
      return;
    }
    output.push(segment);
  });
  return `/${output.join('/')}`;
}

/**
 * Returns `path` (with its query, if any) as Envoy matches and forwards it under Istio's default
 * normalization, or throws an error naming `field` when the checker cannot know what Envoy does
 * with it (see the module comment).
 */
export function normalizeRequestPath(field: string, path: string): string {
  if (!path.startsWith('/')) {
    throw new InvalidValueError(field, `is ${quote(path)}; a request path starts with "/"`);
  }
  if (path.includes('#')) {
    refuse(field, path, 'a client never sends a fragment ("#..."); leave it out');
  }
  const cut = path.indexOf('?');
  const pathPart = cut === -1 ? path : path.slice(0, cut);
  const query = cut === -1 ? '' : path.slice(cut);
  checkCharacters(field, path, pathPart, PATH_CHARACTERS);
  checkCharacters(field, path, query, QUERY_CHARACTERS);
  const decoded = decodeUnreserved(field, path, pathPart).replace(/\\/g, '/');
  return `${removeDotSegments(decoded)}${query}`;
}
