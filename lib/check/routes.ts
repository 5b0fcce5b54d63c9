/**
 * Which backend an ingress gateway sends a request to: the HTTPRoutes attached to its listener
 * (Gateway API parentRefs, allowedRoutes, hostnames) and the most specific matching rule, as the
 * Gateway API orders them (exact path, longest prefix, method, most headers). Only what decides
 * the backend is modelled: filters, query parameter matches and ReferenceGrants are not.
 */
import { InvalidValueError, quote } from '../names';
import { CheckInputError } from './errors';
import { GatewayListener, HttpRouteObject, IngressGateway, Mesh, selectorMatches } from './mesh';
import { HttpRequest } from './policy';
import { YamlMap, readList, readOptionalMap, readOptionalString } from './read';

/** One backend a route sends to. */
export interface RouteBackend {
  /** Service name. */
  readonly service: string;
  /** Service namespace. */
  readonly namespace: string;
  /** Service port. */
  readonly port: number;
}

/** The rule a request matched. */
export interface RouteMatch {
  /** `<ns>/<name>` of the HTTPRoute. */
  readonly route: string;
  /** Its backends with a non-zero weight. */
  readonly backends: readonly RouteBackend[];
}

interface Candidate {
  readonly route: HttpRouteObject;
  readonly rank: readonly number[];
  readonly backends: readonly RouteBackend[];
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
}

function pathMatches(type: string, value: string, path: string): boolean {
  switch (type) {
    case 'Exact':
      return path === value;
    case 'PathPrefix': {
      const prefix = value.endsWith('/') && value !== '/' ? value.slice(0, -1) : value;
      return (
        prefix === '/' ||
        path === prefix ||
        path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)
      );
    }
    case 'RegularExpression':
      return new RegExp(`^(?:${value})$`).test(path);
  }
  return false;
}

function readMatch(
  field: string,
  raw: unknown,
  request: HttpRequest,
  path: string,
): number[] | undefined {
  const match = readOptionalMap(field, raw);
  const pathSpec = readOptionalMap(`${field}.path`, match.path);
  const type = readOptionalString(`${field}.path.type`, pathSpec.type) ?? 'PathPrefix';
  const value = readOptionalString(`${field}.path.value`, pathSpec.value) ?? '/';
  if (!['Exact', 'PathPrefix', 'RegularExpression'].includes(type)) {
    throw new InvalidValueError(
      `${field}.path.type`,
      `is ${quote(type)}; allowed: Exact, PathPrefix, RegularExpression`,
    );
  }
  if (!pathMatches(type, value, path)) {
    return undefined;
  }
  const method = readOptionalString(`${field}.method`, match.method);
  if (method !== undefined && method !== request.method) {
    return undefined;
  }
  const headers = readList(`${field}.headers`, match.headers);
  for (const [index, rawHeader] of headers.entries()) {
    const header = readOptionalMap(`${field}.headers[${index}]`, rawHeader);
    const name = (
      readOptionalString(`${field}.headers[${index}].name`, header.name) ?? ''
    ).toLowerCase();
    const expected = readOptionalString(`${field}.headers[${index}].value`, header.value) ?? '';
    const headerType =
      readOptionalString(`${field}.headers[${index}].type`, header.type) ?? 'Exact';
    const actual = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
    if (
      actual === undefined ||
      (headerType === 'RegularExpression'
        ? !new RegExp(`^(?:${expected})$`).test(actual)
        : actual !== expected)
    ) {
      return undefined;
    }
  }
  return [
    type === 'Exact' ? 1 : 0,
    type === 'PathPrefix' ? value.length : 0,
    method ? 1 : 0,
    headers.length,
  ];
}

function readBackends(field: string, raw: unknown, routeNamespace: string): RouteBackend[] {
  return readList(field, raw).flatMap((item, index) => {
    const ref = readOptionalMap(`${field}[${index}]`, item) as YamlMap;
    const kind = readOptionalString(`${field}[${index}].kind`, ref.kind) ?? 'Service';
    const weight = ref.weight ?? 1;
    if (kind !== 'Service' || weight === 0) {
      return [];
    }
    const port = ref.port;
    if (typeof port !== 'number') {
      throw new InvalidValueError(
        `${field}[${index}].port`,
        `must be a port number, got ${quote(port)}`,
      );
    }
    return [
      {
        service: readOptionalString(`${field}[${index}].name`, ref.name) ?? '',
        namespace:
          readOptionalString(`${field}[${index}].namespace`, ref.namespace) ?? routeNamespace,
        port,
      },
    ];
  });
}

function attaches(
  mesh: Mesh,
  route: HttpRouteObject,
  gateway: IngressGateway,
  listener: GatewayListener,
): boolean {
  const spec = readOptionalMap('spec', route.body.spec);
  const parentAttaches = readList('spec.parentRefs', spec.parentRefs).some((raw, index) => {
    const field = `spec.parentRefs[${index}]`;
    const parent = readOptionalMap(field, raw);
    const kind = readOptionalString(`${field}.kind`, parent.kind) ?? 'Gateway';
    return (
      kind === 'Gateway' &&
      readOptionalString(`${field}.name`, parent.name) === gateway.name &&
      (readOptionalString(`${field}.namespace`, parent.namespace) ?? route.namespace) ===
        gateway.namespace &&
      (parent.sectionName === undefined || parent.sectionName === listener.name) &&
      (parent.port === undefined || parent.port === listener.port)
    );
  });
  if (!parentAttaches) {
    return false;
  }
  switch (listener.routesFrom) {
    case 'Same':
      return route.namespace === gateway.namespace;
    case 'All':
      return true;
    case 'Selector':
      return selectorMatches(
        listener.routesSelector ?? {},
        mesh.namespaceOf(route.namespace).labels,
      );
  }
}

/**
 * The route rule `request` matches on `listener` of `gateway`, or undefined when none does (the
 * gateway answers 404). Throws a {@link CheckInputError} for an HTTPRoute it cannot read.
 */
export function routeRequest(
  mesh: Mesh,
  gateway: IngressGateway,
  listener: GatewayListener,
  request: HttpRequest,
): RouteMatch | undefined {
  const host = request.host.replace(/:[0-9]*$/, '').toLowerCase();
  const path = request.path.replace(/[?#].*$/, '');
  if (listener.hostname && !hostMatches(listener.hostname, host)) {
    return undefined;
  }
  let best: Candidate | undefined;
  for (const route of mesh.httpRoutes) {
    try {
      if (!attaches(mesh, route, gateway, listener)) {
        continue;
      }
      const spec = readOptionalMap('spec', route.body.spec);
      const hostnames = readList('spec.hostnames', spec.hostnames).map(String);
      if (hostnames.length > 0 && !hostnames.some((pattern) => hostMatches(pattern, host))) {
        continue;
      }
      readList('spec.rules', spec.rules).forEach((rawRule, ruleIndex) => {
        const field = `spec.rules[${ruleIndex}]`;
        const rule = readOptionalMap(field, rawRule);
        const matches = readList(`${field}.matches`, rule.matches);
        const ranks = (matches.length > 0 ? matches : [{}]).map((match, index) =>
          readMatch(`${field}.matches[${index}]`, match, request, path),
        );
        for (const rank of ranks) {
          if (rank && (!best || compareRanks(rank, best.rank) > 0)) {
            best = {
              route,
              rank,
              backends: readBackends(`${field}.backendRefs`, rule.backendRefs, route.namespace),
            };
          }
        }
      });
    } catch (error) {
      if (error instanceof InvalidValueError) {
        throw CheckInputError.fromInvalidValue(
          route.file,
          error,
          `HTTPRoute ${quote(`${route.namespace}/${route.name}`)} `,
        );
      }
      throw error;
    }
  }
  const found = best as Candidate | undefined;
  return found
    ? { route: `${found.route.namespace}/${found.route.name}`, backends: found.backends }
    : undefined;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return 0;
}
