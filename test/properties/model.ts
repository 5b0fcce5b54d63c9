// What the constructs were told to open, decided straight from the specs with the rules of
// ../shared/reference/ambient-authorization.md, without reading any policy: the independent side
// the checker's decisions on the synthesized YAML are compared with.
//
// It covers hardened meshes only (a root allow-nothing for ztunnel and a GatewayClass
// allow-nothing for waypoints), where a request passes an enforcement point only when an ALLOW
// written by the constructs matches it there.
import * as ipaddr from 'ipaddr.js';
import { DecisionInput } from '../../lib/check/decide';
import {
  ConditionSpec,
  MeshSpec,
  OperationSpec,
  Scenario,
  ServiceAllowSpec,
  ServiceSpec,
  SourceSpec,
  WAYPOINT_NAME,
  WorkloadAllowSpec,
  WorkloadSpec,
} from './arbitraries';
import { waypointUses } from './build';

/** A request of a case, at a waypoint's HTTP chain. */
export interface RequestSpec {
  readonly method: string;
  readonly path: string;
}

/** One request from a workload to a workload's port or to a Service. */
export interface Case {
  readonly from: WorkloadSpec;
  readonly to:
    { readonly workload: WorkloadSpec; readonly port: number } | { readonly service: ServiceSpec };
  readonly request: RequestSpec;
}

/** The decision the specs call for. `unknown` where the reference leaves it open. */
export interface Expected {
  readonly decision: 'allow' | 'deny' | 'unknown';
  /** The point that denies (null when allowed). */
  readonly enforcedBy: 'ztunnel' | 'waypoint' | null;
  /** Why, for the failure message. */
  readonly why: string;
}

/** The case as the checker takes it. */
export function decisionInput(c: Case): DecisionInput {
  const from = { workload: c.from.name, namespace: c.from.namespace, ip: c.from.ip };
  return 'workload' in c.to
    ? {
        from,
        to: { workload: c.to.workload.name, namespace: c.to.workload.namespace, port: c.to.port },
        request: c.request,
      }
    : {
        from,
        to: {
          service: c.to.service.name,
          namespace: c.to.service.namespace,
          port: c.to.service.port,
        },
        request: c.request,
      };
}

/** A short name for a case, for failure messages. */
export function caseName(c: Case): string {
  const to =
    'workload' in c.to
      ? `workload ${c.to.workload.namespace}/${c.to.workload.name}:${c.to.port}`
      : `service ${c.to.service.namespace}/${c.to.service.name}:${c.to.service.port}`;
  return `${c.from.namespace}/${c.from.name} -> ${to} ${c.request.method} ${c.request.path}`;
}

/** Whether ztunnel captures the workload's pods. */
export function captured(mesh: MeshSpec, workload: WorkloadSpec): boolean {
  if (workload.mode !== 'inherit') {
    return workload.mode === 'ambient';
  }
  return mesh.namespaces.find((n) => n.name === workload.namespace)?.ambient ?? false;
}

/** The workloads a Service selects. */
export function backends(mesh: MeshSpec, service: ServiceSpec): WorkloadSpec[] {
  return mesh.workloads
    .filter((w) => w.namespace === service.namespace)
    .filter((w) =>
      Object.entries(service.selector).every(
        ([key, value]) => ({ app: w.name, tier: w.tier })[key] === value,
      ),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every case of the mesh: each workload to each workload port and to each Service. */
export function allCases(mesh: MeshSpec, requests: readonly RequestSpec[]): Case[] {
  const cases: Case[] = [];
  let next = 0;
  const request = () => requests[next++ % requests.length];
  for (const from of mesh.workloads) {
    for (const workload of mesh.workloads) {
      for (const port of [8080, 9090]) {
        cases.push({ from, to: { workload, port }, request: request() });
      }
    }
    for (const service of mesh.services) {
      if (backends(mesh, service).length > 0) {
        cases.push({ from, to: { service }, request: request() });
      }
    }
  }
  return cases;
}

/** The identity (`<td>/ns/<ns>/sa/<sa>`) and address one enforcement point sees. */
interface Peer {
  readonly principal?: string;
  readonly namespace?: string;
  readonly ip?: string;
}

function patternMatches(pattern: string, value: string): boolean {
  if (pattern === '*') {
    return value.length > 0;
  }
  if (pattern.startsWith('*')) {
    return value.endsWith(pattern.slice(1));
  }
  if (pattern.endsWith('*')) {
    return value.startsWith(pattern.slice(0, -1));
  }
  return value === pattern;
}

function inCidr(ip: string, cidr: string): boolean {
  const [range, bits] = ipaddr.parseCIDR(cidr);
  const address = ipaddr.parse(ip);
  return address.kind() === range.kind() && address.match(range, bits);
}

/** Whether a source matches the peer. A plaintext peer has no identity; no JWT is ever sent. */
function sourceMatches(mesh: MeshSpec, source: SourceSpec, peer: Peer): boolean {
  switch (source.kind) {
    case 'serviceAccount':
      return peer.principal === `${mesh.trustDomain}/ns/${source.namespace}/sa/${source.name}`;
    case 'namespace':
      return peer.namespace !== undefined && source.namespaces.includes(peer.namespace);
    case 'principal':
      return peer.principal !== undefined && patternMatches(source.principal, peer.principal);
    case 'ipBlocks':
      // An unknown address never matches an ALLOW.
      return peer.ip !== undefined && source.cidrs.some((cidr) => inCidr(peer.ip!, cidr));
    case 'requestPrincipal':
      return false;
  }
}

function conditionHolds(condition: ConditionSpec, peer: Peer, port: number): boolean {
  return condition.key === 'source.namespace'
    ? peer.namespace !== undefined && condition.values.includes(peer.namespace)
    : condition.values.includes(String(port));
}

/**
 * The L4 ALLOWs the scenario writes, with the waypoint ALLOW of each waypoint namespace. With
 * `autoAllowWaypointPolicy` istiod writes that ALLOW instead, for the workloads the waypoint
 * serves only; the difference never shows, since the waypoint's identity only ever reaches
 * workloads it serves.
 */
export function l4Allows(scenario: Scenario): WorkloadAllowSpec[] {
  return [
    ...scenario.policies.workloadAllows,
    // NamespaceInternalAllow: every workload of the namespace, from the namespace.
    ...scenario.policies.namespaceInternal.map(({ namespace }): WorkloadAllowSpec => ({
      target: { kind: 'namespace', namespace },
      rules: [{ from: [{ kind: 'namespace', namespaces: [namespace] }] }],
    })),
    ...waypointUses(scenario.mesh).map(({ host, client }): WorkloadAllowSpec => ({
      target: { kind: 'namespace', namespace: client },
      rules: [{ from: [{ kind: 'serviceAccount', namespace: host, name: WAYPOINT_NAME }] }],
    })),
  ];
}

/** Whether an L4 ALLOW applies to the workload (reference section 2, ztunnel scope). */
function appliesTo(mesh: MeshSpec, allow: WorkloadAllowSpec, workload: WorkloadSpec): boolean {
  const target = allow.target;
  if (target.kind === 'namespace') {
    return target.namespace === workload.namespace;
  }
  const labels: Record<string, string> = { app: workload.name, tier: workload.tier };
  const selects = Object.entries(target.labels).every(([key, value]) => labels[key] === value);
  // A selector in the root namespace selects matching pods in all namespaces.
  return (
    selects && (target.namespace === workload.namespace || target.namespace === mesh.rootNamespace)
  );
}

/** The destination ztunnel's decision under the lockdown: some applicable L4 ALLOW matches. */
function ztunnelAllows(
  scenario: Scenario,
  workload: WorkloadSpec,
  peer: Peer,
  port: number,
): boolean {
  return l4Allows(scenario)
    .filter((allow) => appliesTo(scenario.mesh, allow, workload))
    .some((allow) =>
      allow.rules.some(
        (rule) =>
          rule.from.some((source) => sourceMatches(scenario.mesh, source, peer)) &&
          (rule.ports === undefined || rule.ports.includes(port)) &&
          (rule.when ?? []).every((condition) => conditionHolds(condition, peer, port)),
      ),
    );
}

function hasHttpFields(operation: OperationSpec): boolean {
  return Boolean(operation.methods || operation.paths || operation.hosts);
}

/**
 * The waypoint's decision under the lockdown: some ServiceAllow targeting the Service (or the
 * waypoint) matches. `ports` are the ports the rule compares with: a Service whose port and
 * target port differ gives both, because which one a waypoint matches is not settled by the
 * reference ("Waypoint port semantics not verified"); the answer is then `unknown` when they
 * disagree.
 */
function waypointAllows(
  scenario: Scenario,
  waypointNamespace: string,
  service: ServiceSpec | undefined,
  peer: Peer,
  ports: readonly number[],
  request: RequestSpec | undefined,
): boolean | 'unknown' {
  const host = service ? `${service.name}.${service.namespace}.svc.cluster.local` : '';
  const decideWith = (port: number) =>
    [
      ...scenario.policies.serviceAllows,
      // NamespaceInternalAllow with a waypoint: the namespace's own waypoint, from the namespace.
      ...scenario.policies.namespaceInternal
        .filter((internal) => internal.waypoint)
        .map(({ namespace }): ServiceAllowSpec => ({
          namespace,
          targets: [{ kind: 'waypoint' }],
          rules: [{ from: [{ kind: 'namespace', namespaces: [namespace] }] }],
        })),
    ]
      .filter(
        // A waypoint target counts from the waypoint's namespace only, a Service target from
        // the Service's (reference section 2).
        (allow) =>
          allow.targets.some((target) =>
            target.kind === 'waypoint'
              ? allow.namespace === waypointNamespace
              : service !== undefined &&
                allow.namespace === service.namespace &&
                target.name === service.name,
          ),
      )
      .some((allow) =>
        allow.rules.some((rule) => {
          const httpOnly =
            rule.from.some((s) => s.kind === 'requestPrincipal') ||
            (rule.to ?? []).some(hasHttpFields);
          // On a TCP chain istiod skips an ALLOW rule with HTTP fields (reference section 3).
          if (request === undefined && httpOnly) {
            return false;
          }
          return (
            rule.from.some((source) => sourceMatches(scenario.mesh, source, peer)) &&
            (rule.to === undefined ||
              rule.to.some(
                (op) =>
                  (op.ports === undefined || op.ports.includes(port)) &&
                  (op.methods === undefined || op.methods.includes(request!.method)) &&
                  (op.paths === undefined ||
                    op.paths.some((p) => patternMatches(p, request!.path))) &&
                  (op.hosts === undefined || op.hosts.some((h) => patternMatches(h, host))),
              ))
          );
        }),
      );
  const answers = new Set(ports.map(decideWith));
  return answers.size === 1 ? [...answers][0] : 'unknown';
}

/** The decision on one request to one backend workload. */
function toWorkload(
  scenario: Scenario,
  c: Case,
  workload: WorkloadSpec,
  service: ServiceSpec | undefined,
  port: number,
): Expected {
  const mesh = scenario.mesh;
  const sourceCaptured = captured(mesh, c.from);
  let peer: Peer = sourceCaptured
    ? {
        principal: `${mesh.trustDomain}/ns/${c.from.namespace}/sa/${c.from.serviceAccount}`,
        namespace: c.from.namespace,
        ip: c.from.ip,
      }
    : { ip: c.from.ip };

  const host = mesh.namespaces.find((n) => n.name === workload.namespace)?.usesWaypointOf;
  const waypoint =
    host === undefined ? undefined : mesh.namespaces.find((n) => n.name === host)?.hostsWaypoint;
  // Service traffic goes through a waypoint for service (or all) traffic; pod-direct traffic
  // through one for workload (or all) traffic; only captured sources are sent there.
  const viaWaypoint =
    sourceCaptured &&
    waypoint !== undefined &&
    (waypoint === 'all' || waypoint === (service ? 'service' : 'workload'));
  if (viaWaypoint) {
    const ports = service ? [...new Set([service.port, service.targetPort])] : [port];
    // Pod-direct traffic has no Service to say it is HTTP: the waypoint reads it as TCP.
    const request = service?.http ? c.request : undefined;
    const verdict = waypointAllows(scenario, host!, service, peer, ports, request);
    if (verdict === 'unknown') {
      return { decision: 'unknown', enforcedBy: null, why: 'waypoint port semantics' };
    }
    if (!verdict) {
      return {
        decision: 'deny',
        enforcedBy: 'waypoint',
        why: 'no ServiceAllow rule matches at the waypoint',
      };
    }
    // The destination ztunnel sees the waypoint as its peer.
    peer = {
      principal: `${mesh.trustDomain}/ns/${host}/sa/${WAYPOINT_NAME}`,
      namespace: host,
    };
  }

  if (!captured(mesh, workload)) {
    return {
      decision: 'allow',
      enforcedBy: null,
      why: 'the destination is not captured: no enforcement point',
    };
  }
  const through = viaWaypoint ? ' (the waypoint allowed it)' : '';
  return ztunnelAllows(scenario, workload, peer, port)
    ? { decision: 'allow', enforcedBy: null, why: `an L4 ALLOW matches at ztunnel${through}` }
    : { decision: 'deny', enforcedBy: 'ztunnel', why: `no L4 ALLOW matches at ztunnel${through}` };
}

/**
 * What the hardened mesh decides for `c`, from the specs alone. A Service is allowed only when
 * every backend allows; the first denying backend (by name) decides the point.
 */
export function expected(scenario: Scenario, c: Case): Expected {
  if ('workload' in c.to) {
    return toWorkload(scenario, c, c.to.workload, undefined, c.to.port);
  }
  const service = c.to.service;
  let result: Expected | undefined;
  for (const backend of backends(scenario.mesh, service)) {
    const one = toWorkload(scenario, c, backend, service, service.targetPort);
    // The waypoint's verdict is the same for every backend: unknown for one, unknown for all.
    if (one.decision !== 'allow') {
      return one;
    }
    result ??= one;
  }
  return result!;
}
