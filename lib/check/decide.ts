/**
 * The path of one request through the mesh and the decision of each enforcement point on it
 * (reference section 2, "Identity seen by each enforcement point"):
 *
 * - to a Service: the Service's waypoint, if it has one and the source is captured (the source
 *   ztunnel sends it there), deciding on the original client's identity; then the ztunnel of the
 *   destination pod, which sees the waypoint's identity when a waypoint was in the path;
 * - to a workload directly: the same, with the workload's waypoint when it serves workload traffic;
 * - to an ingress gateway: the gateway pod's own ztunnel when its namespace is ambient, the
 *   gateway's Envoy, then the route's backend Service, reached with the gateway's identity
 *   (through the Service's waypoint only when the Service sets `istio.io/ingress-use-waypoint`).
 *
 * The first point that denies decides. A Service with several backend workloads is allowed only
 * when every backend allows.
 */
import { InvalidValueError, quote } from '../names';
import { envoyVerdict } from './envoy';
import { IngressGateway, MeshService, Mesh, ServicePort, Waypoint, Workload } from './mesh';
import { EvalContext, HttpRequest, Identity, identityOf } from './policy';
import { normalizeRequestPath } from './request-path';
import { routeRequest } from './routes';
import { EnforcedBy, Verdict } from './verdict';
import { ztunnelVerdict } from './ztunnel';
import { parseAddress } from './match';

/** Where a request comes from, as a cases file names it. */
export type SourceSpec =
  | { readonly workload: string; readonly namespace?: string; readonly ip?: string }
  | { readonly serviceAccount: string; readonly namespace?: string; readonly ip?: string }
  | { readonly ip: string }
  | { readonly external: string };

/** Where a request goes, as a cases file names it. */
export type TargetSpec =
  | { readonly service: string; readonly namespace?: string; readonly port: number }
  | { readonly workload: string; readonly namespace?: string; readonly port: number }
  | { readonly gateway: string; readonly namespace?: string; readonly port: number };

/** The HTTP request of a case; each part has a default. */
export interface RequestSpec {
  /** @default "GET" */
  readonly method?: string;
  /**
   * Path and optional query, as sent; normalized as Istio's default (BASE) does, see
   * {@link normalizeRequestPath}.
   * @default "/"
   */
  readonly path?: string;
  /** @default the destination's cluster name, such as `productpage.default.svc.cluster.local` */
  readonly host?: string;
  /** @default {} */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request to decide. */
export interface DecisionInput {
  /** The source. */
  readonly from: SourceSpec;
  /** The destination. */
  readonly to: TargetSpec;
  /** The HTTP request, used where a waypoint or gateway parses HTTP. */
  readonly request?: RequestSpec;
}

/** One enforcement point on the path and what it decided. */
export interface Hop {
  /** The kind of point. */
  readonly point: EnforcedBy;
  /** Which one, such as `ztunnel of Deployment default/productpage-v1`. */
  readonly target: string;
  /** Its verdict. */
  readonly verdict: Verdict;
}

/** The decision on one request. */
export interface Decision {
  /** `allow` when every point on the path lets the request through. */
  readonly decision: 'allow' | 'deny';
  /** The point that denied; null when allowed. */
  readonly enforcedBy: EnforcedBy | null;
  /** `<ns>/<name>` of the deciding policy, or null when none decided. */
  readonly policy: string | null;
  /** Why, naming the points on the path. */
  readonly reason: string;
  /** Every point on the path that was evaluated, in order. */
  readonly hops: readonly Hop[];
}

/** A resolved source: the identity and address each point may see. */
interface Peer {
  readonly identity?: Identity;
  readonly ip?: string;
  /** Whether a ztunnel (or the gateway's own HBONE) carries its traffic, so waypoints apply. */
  readonly captured: boolean;
  /** Whether it is an ingress gateway's Envoy (waypoints only with ingress-use-waypoint). */
  readonly gateway: boolean;
}

const ALLOWED_PATHS = 'one of {workload}, {serviceAccount}, {ip}, {external}';

function checkIp(field: string, ip: string | undefined): string | undefined {
  if (ip !== undefined && !parseAddress(ip)) {
    throw new InvalidValueError(field, `is ${quote(ip)}, which is not an IPv4 or IPv6 address`);
  }
  return ip;
}

function resolveSource(mesh: Mesh, from: SourceSpec, defaultNamespace: string): Peer {
  if ('workload' in from) {
    const namespace = from.namespace ?? defaultNamespace;
    const workload = mesh.workload(namespace, from.workload);
    if (!workload) {
      throw new InvalidValueError(
        'from.workload',
        `is ${quote(from.workload)}, but no workload of that name is in namespace ${quote(namespace)} of the manifests`,
      );
    }
    const ip = checkIp('from.ip', from.ip);
    return workload.ambient
      ? { identity: workload.identity, ip, captured: true, gateway: false }
      : { ip, captured: false, gateway: false };
  }
  if ('serviceAccount' in from) {
    const namespace = from.namespace ?? defaultNamespace;
    return {
      identity: identityOf(mesh.trustDomain, namespace, from.serviceAccount),
      ip: checkIp('from.ip', from.ip),
      captured: true,
      gateway: false,
    };
  }
  if ('ip' in from) {
    return { ip: checkIp('from.ip', from.ip), captured: false, gateway: false };
  }
  if ('external' in from) {
    return { ip: checkIp('from.external', from.external), captured: false, gateway: false };
  }
  throw new InvalidValueError('from', `must be ${ALLOWED_PATHS}`);
}

function workloadLabel(workload: Workload): string {
  return `${workload.kind} ${workload.namespace}/${workload.name}`;
}

function toRequest(spec: RequestSpec | undefined, host: string): HttpRequest {
  return {
    method: spec?.method ?? 'GET',
    path: spec?.path === undefined ? '/' : normalizeRequestPath('request.path', spec.path),
    host: spec?.host ?? host,
    headers: spec?.headers ?? {},
  };
}

function serviceHost(service: MeshService): string {
  return `${service.name}.${service.namespace}.svc.cluster.local`;
}

const defaultRequests = new WeakMap<MeshService, HttpRequest>();

/** The default request to a Service, made once: a reachability matrix decides it per client. */
function defaultRequest(service: MeshService): HttpRequest {
  let request = defaultRequests.get(service);
  if (!request) {
    request = toRequest(undefined, serviceHost(service));
    defaultRequests.set(service, request);
  }
  return request;
}

/** Resolves a Service port's targetPort on one backend. */
function targetPort(service: MeshService, port: ServicePort, workload: Workload): number {
  if (typeof port.targetPort === 'number') {
    return port.targetPort;
  }
  const resolved = /^[0-9]+$/.test(port.targetPort)
    ? Number(port.targetPort)
    : workload.containerPorts.get(port.targetPort);
  if (resolved === undefined) {
    throw new InvalidValueError(
      'to.port',
      `${port.port} of Service ${service.namespace}/${service.name} targets container port ` +
        `${quote(port.targetPort)}, which ${workloadLabel(workload)} does not declare`,
    );
  }
  return resolved;
}

/** Walks the points between `peer` and one backend workload; returns the hops. */
function pathToWorkload(
  mesh: Mesh,
  peer: Peer,
  workload: Workload,
  port: number,
  waypointKey: string | undefined,
  waypointService: MeshService | undefined,
  http: boolean,
  request: HttpRequest,
  hops: Hop[],
): void {
  let ztunnelPeer: Identity | undefined = peer.identity;
  let ztunnelIp: string | undefined = peer.ip;

  if (waypointKey && peer.captured) {
    const waypoint: Waypoint | undefined = mesh.waypointByKey(waypointKey);
    if (!waypoint) {
      hops.push({
        point: 'waypoint',
        target: `waypoint ${waypointKey}`,
        verdict: {
          allowed: false,
          reason: `the waypoint ${waypointKey} is not in the manifests, so traffic that must cross it fails`,
        },
      });
      return;
    }
    const context: EvalContext = {
      identity: peer.identity,
      sourceIp: peer.ip,
      remoteIp: peer.ip,
      destinationPort: port,
      request: http ? request : undefined,
    };
    const verdict = envoyVerdict(mesh.waypointPolicies(waypoint, waypointService), context);
    hops.push({
      point: 'waypoint',
      target: `waypoint ${waypoint.namespace}/${waypoint.name}`,
      verdict,
    });
    if (!verdict.allowed) {
      return;
    }
    // The destination ztunnel sees the waypoint as its HBONE peer, at an address not in manifests.
    ztunnelPeer = waypoint.identity;
    ztunnelIp = undefined;
  }

  if (!workload.ambient) {
    // No ztunnel captures the destination: nothing enforces L4 policy there.
    return;
  }
  const context: EvalContext = {
    identity: ztunnelPeer,
    sourceIp: ztunnelIp,
    destinationPort: port,
  };
  hops.push({
    point: 'ztunnel',
    target: `ztunnel of ${workloadLabel(workload)}`,
    verdict: ztunnelVerdict(mesh.ztunnelPolicies(workload), context),
  });
}

function serviceWaypointKey(mesh: Mesh, service: MeshService, peer: Peer): string | undefined {
  if (peer.gateway && service.labels['istio.io/ingress-use-waypoint'] !== 'true') {
    return undefined;
  }
  const key = mesh.waypointKeyOf(service);
  const waypoint = key ? mesh.waypointByKey(key) : undefined;
  if (waypoint && waypoint.trafficType !== 'service' && waypoint.trafficType !== 'all') {
    return undefined;
  }
  return key;
}

/** Decides every backend of a Service; returns the hops of the first that denies, else the first. */
function pathToService(
  mesh: Mesh,
  peer: Peer,
  service: MeshService,
  servicePort: number,
  requestSpec: RequestSpec | undefined,
  field: string,
): Hop[] {
  const port = service.ports.find((p) => p.port === servicePort);
  if (!port) {
    throw new InvalidValueError(
      field,
      `is ${servicePort}, but Service ${service.namespace}/${service.name} has ports ` +
        `${service.ports.map((p) => p.port).join(', ') || '(none)'}`,
    );
  }
  const backends = mesh.backends(service);
  if (backends.length === 0) {
    throw new InvalidValueError(
      field.replace(/port$/, 'service'),
      `names Service ${service.namespace}/${service.name}, which selects no workload in the manifests`,
    );
  }
  const request = requestSpec
    ? toRequest(requestSpec, serviceHost(service))
    : defaultRequest(service);
  const waypointKey = serviceWaypointKey(mesh, service, peer);
  let first: Hop[] | undefined;
  for (const workload of backends) {
    const hops: Hop[] = [];
    pathToWorkload(
      mesh,
      peer,
      workload,
      targetPort(service, port, workload),
      waypointKey,
      service,
      port.http,
      request,
      hops,
    );
    if (hops.some((hop) => !hop.verdict.allowed)) {
      return hops;
    }
    first ??= hops;
  }
  return first!;
}

function pathThroughGateway(
  mesh: Mesh,
  peer: Peer,
  gateway: IngressGateway,
  port: number,
  requestSpec: RequestSpec | undefined,
): Hop[] {
  const listener = gateway.listeners.find((l) => l.port === port);
  if (!listener) {
    throw new InvalidValueError(
      'to.port',
      `is ${port}, but Gateway ${gateway.namespace}/${gateway.name} listens on ` +
        `${gateway.listeners.map((l) => l.port).join(', ') || '(no port)'}`,
    );
  }
  if (!['HTTP', 'HTTPS'].includes(listener.protocol)) {
    throw new InvalidValueError(
      'to.port',
      `is ${port}, a ${listener.protocol} listener; the checker follows HTTP and HTTPS listeners only`,
    );
  }
  const hops: Hop[] = [];
  const workload = gateway.workload;
  const label = `${gateway.namespace}/${gateway.name}`;

  // An ingress gateway pod in an ambient namespace is captured: its ztunnel decides first.
  if (workload.ambient) {
    const verdict = ztunnelVerdict(mesh.ztunnelPolicies(workload), {
      identity: peer.identity,
      sourceIp: peer.ip,
      destinationPort: port,
    });
    hops.push({ point: 'ztunnel', target: `ztunnel of gateway ${label}`, verdict });
    if (!verdict.allowed) {
      return hops;
    }
  }

  const defaultHost =
    listener.hostname && !listener.hostname.startsWith('*')
      ? listener.hostname
      : `${gateway.name}-istio.${gateway.namespace}.svc.cluster.local`;
  const request = toRequest(requestSpec, defaultHost);
  // The gateway's Envoy gets plaintext from its ztunnel or from outside: no peer identity.
  const verdict = envoyVerdict(mesh.gatewayPolicies(gateway), {
    sourceIp: peer.ip,
    remoteIp: peer.ip,
    destinationPort: port,
    request,
  });
  hops.push({ point: 'gateway', target: `gateway ${label}`, verdict });
  if (!verdict.allowed) {
    return hops;
  }

  const match = routeRequest(mesh, gateway, listener, request);
  if (!match || match.backends.length === 0) {
    hops.push({
      point: 'gateway',
      target: `gateway ${label}`,
      verdict: {
        allowed: false,
        reason: match
          ? `HTTPRoute ${match.route} matches ${request.method} ${request.path} but has no Service backend`
          : `no HTTPRoute of the gateway matches ${request.method} ${request.host}${request.path} (404)`,
      },
    });
    return hops;
  }

  const gatewayPeer: Peer = { identity: workload.identity, captured: true, gateway: true };
  let first: Hop[] | undefined;
  for (const backend of match.backends) {
    const service = mesh.service(backend.namespace, backend.service);
    if (!service) {
      throw new InvalidValueError(
        'to.gateway',
        `routes through HTTPRoute ${match.route} to Service ${backend.namespace}/${backend.service}, which is not in the manifests`,
      );
    }
    const rest = pathToService(mesh, gatewayPeer, service, backend.port, request, 'to.port');
    if (rest.some((hop) => !hop.verdict.allowed)) {
      return [...hops, ...rest];
    }
    first ??= rest;
  }
  return [...hops, ...first!];
}

function summarize(hops: readonly Hop[]): Decision {
  const denied = hops.find((hop) => !hop.verdict.allowed);
  if (denied) {
    return {
      decision: 'deny',
      enforcedBy: denied.point,
      policy: denied.verdict.policy?.id ?? null,
      reason: `${denied.target}: ${denied.verdict.reason}`,
      hops,
    };
  }
  let deciding: Hop | undefined;
  for (let i = hops.length - 1; i >= 0 && !deciding; i--) {
    deciding = hops[i].verdict.policy ? hops[i] : undefined;
  }
  return {
    decision: 'allow',
    enforcedBy: null,
    policy: deciding?.verdict.policy?.id ?? null,
    reason:
      hops.length === 0
        ? 'no enforcement point on the path: neither end is captured by ztunnel'
        : hops.map((hop) => `${hop.target}: ${hop.verdict.reason}`).join('; '),
    hops,
  };
}

/**
 * Decides one request. Throws an {@link InvalidValueError} whose field is inside the input
 * (`from.workload`, `to.port`, ...) when it names something the mesh does not have.
 *
 * @param defaultNamespace namespace of a source or target that names none
 */
export function decide(mesh: Mesh, input: DecisionInput, defaultNamespace = 'default'): Decision {
  const peer = resolveSource(mesh, input.from, defaultNamespace);
  const to = input.to;
  const namespace = to.namespace ?? defaultNamespace;

  if ('service' in to) {
    const service = mesh.service(namespace, to.service);
    if (!service) {
      throw new InvalidValueError(
        'to.service',
        `is ${quote(to.service)}, but no Service of that name is in namespace ${quote(namespace)} of the manifests`,
      );
    }
    return summarize(pathToService(mesh, peer, service, to.port, input.request, 'to.port'));
  }

  if ('workload' in to) {
    const workload = mesh.workload(namespace, to.workload);
    if (!workload) {
      throw new InvalidValueError(
        'to.workload',
        `is ${quote(to.workload)}, but no workload of that name is in namespace ${quote(namespace)} of the manifests`,
      );
    }
    const key = mesh.waypointKeyOf(workload);
    const waypoint = key ? mesh.waypointByKey(key) : undefined;
    // A waypoint missing from the manifests has the default traffic type, service: pod-direct
    // traffic would not use it.
    const usesWaypoint =
      waypoint !== undefined &&
      (waypoint.trafficType === 'workload' || waypoint.trafficType === 'all');
    const request = toRequest(input.request, `${workload.name}.${workload.namespace}`);
    const hops: Hop[] = [];
    // Pod-direct traffic has no Service to say it is HTTP: a waypoint reads it as TCP.
    pathToWorkload(
      mesh,
      peer,
      workload,
      to.port,
      usesWaypoint ? key : undefined,
      undefined,
      false,
      request,
      hops,
    );
    return summarize(hops);
  }

  if ('gateway' in to) {
    const gateway = mesh.ingressGateway(namespace, to.gateway);
    if (!gateway) {
      const waypoint = mesh.waypoint(namespace, to.gateway);
      throw new InvalidValueError(
        'to.gateway',
        waypoint
          ? `is ${quote(to.gateway)}, a waypoint; address the Service or workload behind it instead`
          : `is ${quote(to.gateway)}, but no Gateway of class "istio" of that name is in namespace ${quote(namespace)} of the manifests`,
      );
    }
    return summarize(pathThroughGateway(mesh, peer, gateway, to.port, input.request));
  }
  throw new InvalidValueError(
    'to',
    'must be one of {service, port}, {workload, port}, {gateway, port}',
  );
}

/** The source a Service matrix row stands for: a mesh workload, or an ingress gateway's Envoy. */
export function decideFromWorkload(
  mesh: Mesh,
  workload: Workload,
  service: MeshService,
  port: number,
): Decision {
  const peer: Peer = workload.gateway
    ? { identity: workload.identity, captured: true, gateway: true }
    : workload.ambient
      ? { identity: workload.identity, captured: true, gateway: false }
      : { captured: false, gateway: false };
  return summarize(pathToService(mesh, peer, service, port, undefined, 'to.port'));
}
