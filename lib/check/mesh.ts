/**
 * The mesh as the manifests describe it: namespaces, workloads, services, gateways, waypoints,
 * HTTPRoutes and AuthorizationPolicies, with the indexes that let a decision find the policies of
 * one workload, waypoint or gateway without looking at the others.
 *
 * Policies are indexed once by namespace, by one label of their selector and by targetRef, and the
 * list that applies to each workload, gateway and waypoint is kept after its first use, so the cost
 * of a decision does not grow with the number of policies in the mesh.
 */
import { InvalidValueError, quote, validateNamespace } from '../names';
import { DEFAULT_TRUST_DOMAIN, validateTrustDomain } from '../principals';
import { CheckInputError } from './errors';
import { ManifestObject } from './manifests';
import { AuthorizationPolicy, Identity, identityOf, readAuthorizationPolicy } from './policy';
import {
  YamlMap,
  isMap,
  readList,
  readOptionalMap,
  readOptionalString,
  readStringMap,
} from './read';

/** istiod settings the decisions depend on. */
export interface MeshOptions {
  /**
   * meshConfig.rootNamespace: its policies without selector apply to the whole mesh.
   * @default "istio-system"
   */
  readonly rootNamespace?: string;
  /**
   * meshConfig.trustDomain, the first part of every principal.
   * @default "cluster.local"
   */
  readonly trustDomain?: string;
  /**
   * PILOT_AUTO_ALLOW_WAYPOINT_POLICY: istiod adds an ALLOW for each waypoint's identity to the
   * workloads behind it (reference section 2).
   * @default false
   */
  readonly autoAllowWaypointPolicy?: boolean;
}

/** Labels of a Kubernetes object. */
export type Labels = Readonly<Record<string, string>>;

/** A Namespace object (or one only named by other objects: no labels). */
export interface MeshNamespace {
  /** Its name. */
  readonly name: string;
  /** Its labels. */
  readonly labels: Labels;
}

/** A group of pods with one pod template: Deployment, StatefulSet, ..., a Pod, or a gateway. */
export interface Workload {
  /** `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`, `CronJob`, `Pod` or `Gateway`. */
  readonly kind: string;
  /** Object name (for a gateway: the Gateway's name). */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /** Pod labels. */
  readonly labels: Labels;
  /** Pod service account. */
  readonly serviceAccount: string;
  /** The pod's identity. */
  readonly identity: Identity;
  /** Whether ztunnel captures the pods (ambient namespace or pod label, not opted out). */
  readonly ambient: boolean;
  /** Container port names to numbers, for named Service targetPorts. */
  readonly containerPorts: ReadonlyMap<string, number>;
  /** The ingress gateway these pods run, if any. */
  readonly gateway?: IngressGateway;
  /** The file the workload was read from. */
  readonly file: string;
}

/** A port of a Service. */
export interface ServicePort {
  /** Port name, if any. */
  readonly name?: string;
  /** The Service port. */
  readonly port: number;
  /** targetPort: a number, or a container port name. */
  readonly targetPort: number | string;
  /** Whether a waypoint treats the port as HTTP (name or appProtocol says http, http2 or grpc). */
  readonly http: boolean;
}

/** A Service. */
export interface MeshService {
  /** Its name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Its labels. */
  readonly labels: Labels;
  /** spec.selector; undefined for a Service without selector. */
  readonly selector?: Labels;
  /** Its ports. */
  readonly ports: readonly ServicePort[];
  /** The file it was read from. */
  readonly file: string;
}

/** A Gateway of class `istio-waypoint`. */
export interface Waypoint {
  /** The Gateway's name (also its service account). */
  readonly name: string;
  /** The Gateway's namespace. */
  readonly namespace: string;
  /** Its gatewayClassName. */
  readonly className: string;
  /** The identity the destination ztunnel sees for traffic through it. */
  readonly identity: Identity;
  /** The `istio.io/waypoint-for` label: which traffic it serves. */
  readonly trafficType: 'service' | 'workload' | 'all' | 'none';
}

/** A listener of an ingress gateway. */
export interface GatewayListener {
  /** Listener name (sectionName of routes). */
  readonly name: string;
  /** Port the gateway pods listen on. */
  readonly port: number;
  /** Listener protocol. */
  readonly protocol: string;
  /** Listener hostname, if any. */
  readonly hostname?: string;
  /** allowedRoutes.namespaces.from. */
  readonly routesFrom: 'Same' | 'All' | 'Selector';
  /** allowedRoutes.namespaces.selector.matchLabels for `Selector`. */
  readonly routesSelector?: Labels;
}

/** A Gateway of class `istio`: an ingress gateway Istio deploys as `<name>-istio`. */
export interface IngressGateway {
  /** The Gateway's name. */
  readonly name: string;
  /** The Gateway's namespace. */
  readonly namespace: string;
  /** Its listeners. */
  readonly listeners: readonly GatewayListener[];
  /** The gateway's pods as a workload (labels, identity `<name>-istio`). */
  readonly workload: Workload;
}

/** One HTTPRoute, kept raw except for its parents; read by routes.ts. */
export interface HttpRouteObject {
  /** Its name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** The whole object. */
  readonly body: YamlMap;
  /** The file it was read from. */
  readonly file: string;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];
/**
 * Port names and appProtocols a waypoint serves as HTTP (Istio protocol selection); any other
 * port is TCP there. Whether a waypoint sniffs undeclared ports is not modelled.
 */
const HTTP_PORT = /^(http|http2|grpc|grpc-web|kubernetes\.io\/h2c)(-|$)/i;
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** Whether every label of `selector` is on `labels`. */
export function selectorMatches(selector: Labels, labels: Labels): boolean {
  for (const key in selector) {
    if (labels[key] !== selector[key]) {
      return false;
    }
  }
  return true;
}

function sortById(policies: AuthorizationPolicy[]): AuthorizationPolicy[] {
  return policies.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/** A label pair as an index key. */
function labelKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

/** A policy index: namespace-wide, selector (by one label) and empty-selector policies. */
class ScopeIndex {
  public readonly byNamespace = new Map<string, AuthorizationPolicy[]>();
  public readonly bySelector = new Map<string, Map<string, AuthorizationPolicy[]>>();
  public readonly emptySelector = new Map<string, AuthorizationPolicy[]>();

  public add(policy: AuthorizationPolicy): void {
    const selector = policy.selector;
    if (!selector) {
      push(this.byNamespace, policy.namespace, policy);
      return;
    }
    const keys = Object.keys(selector).sort();
    if (keys.length === 0) {
      push(this.emptySelector, policy.namespace, policy);
      return;
    }
    let byLabel = this.bySelector.get(policy.namespace);
    if (!byLabel) {
      byLabel = new Map();
      this.bySelector.set(policy.namespace, byLabel);
    }
    push(byLabel, labelKey(keys[0], selector[keys[0]]), policy);
  }

  /** Selector policies of namespace `namespace` that select `labels`. */
  public selecting(namespace: string, labels: Labels, into: AuthorizationPolicy[]): void {
    const byLabel = this.bySelector.get(namespace);
    if (!byLabel) {
      return;
    }
    for (const key in labels) {
      for (const policy of byLabel.get(labelKey(key, labels[key])) ?? []) {
        if (selectorMatches(policy.selector!, labels)) {
          into.push(policy);
        }
      }
    }
  }
}

/**
 * The mesh built from manifests. Construct it with {@link Mesh.fromManifests}; every lookup and
 * policy list is deterministic (sorted by namespace and name).
 */
export class Mesh {
  /** Builds the mesh; throws a {@link CheckInputError} for a manifest it cannot read. */
  public static fromManifests(objects: readonly ManifestObject[], options: MeshOptions = {}): Mesh {
    return new Mesh(objects, options);
  }

  /** meshConfig.rootNamespace. */
  public readonly rootNamespace: string;
  /** meshConfig.trustDomain. */
  public readonly trustDomain: string;
  /** PILOT_AUTO_ALLOW_WAYPOINT_POLICY. */
  public readonly autoAllowWaypointPolicy: boolean;

  private readonly namespaces = new Map<string, MeshNamespace>();
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly servicesByNs = new Map<string, MeshService[]>();
  private readonly waypoints = new Map<string, Waypoint>();
  private readonly gateways = new Map<string, IngressGateway>();
  private readonly routeList: HttpRouteObject[] = [];
  private readonly policyList: AuthorizationPolicy[] = [];
  private readonly seen = new Map<string, ManifestObject>();

  private readonly ztunnelIndex = new ScopeIndex();
  private readonly envoyIndex = new ScopeIndex();
  private readonly byTarget = new Map<string, AuthorizationPolicy[]>();

  private readonly ztunnelCache = new Map<Workload, AuthorizationPolicy[]>();
  private readonly gatewayCache = new Map<IngressGateway, AuthorizationPolicy[]>();
  private readonly waypointCache = new Map<
    Waypoint,
    Map<MeshService | undefined, AuthorizationPolicy[]>
  >();
  private readonly waypointKeyCache = new Map<object, string | undefined>();
  private readonly backendCache = new Map<MeshService, Workload[]>();
  private readonly servicesOfCache = new Map<Workload, MeshService[]>();

  private constructor(objects: readonly ManifestObject[], options: MeshOptions) {
    // A malformed name would silently match no policy namespace and no principal.
    this.rootNamespace = validateNamespace(
      'rootNamespace',
      options.rootNamespace ?? 'istio-system',
    );
    this.trustDomain = validateTrustDomain(
      'trustDomain',
      options.trustDomain ?? DEFAULT_TRUST_DOMAIN,
    );
    this.autoAllowWaypointPolicy = options.autoAllowWaypointPolicy ?? false;

    // Namespaces first: whether a workload is ambient depends on its namespace's labels.
    for (const object of objects) {
      if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
        this.guard(object, () => this.addNamespace(object));
      }
    }
    for (const object of objects) {
      this.guard(object, () => this.add(object));
    }
    for (const list of [...this.workloadsByNs.values(), ...this.servicesByNs.values()]) {
      list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
  }

  private guard(object: ManifestObject, read: () => void): void {
    try {
      read();
    } catch (error) {
      if (error instanceof InvalidValueError) {
        const label = `document ${object.document} (${object.kind} ${quote(`${object.namespace}/${object.name}`)}) `;
        throw CheckInputError.fromInvalidValue(object.file, error, label);
      }
      throw error;
    }
  }

  private claim(object: ManifestObject, key: string): void {
    if (object.name === '') {
      throw new InvalidValueError('metadata.name', 'is missing; every object needs a name');
    }
    const earlier = this.seen.get(key);
    if (earlier) {
      throw new InvalidValueError(
        'metadata.name',
        `repeats ${key}, already defined in ${earlier.file} document ${earlier.document}; ` +
          'each object may be defined once',
      );
    }
    this.seen.set(key, object);
  }

  private addNamespace(object: ManifestObject): void {
    this.claim(object, `Namespace ${object.name}`);
    const metadata = readOptionalMap('metadata', object.body.metadata);
    this.namespaces.set(object.name, {
      name: object.name,
      labels: readStringMap('metadata.labels', metadata.labels),
    });
  }

  private add(object: ManifestObject): void {
    const { kind, apiVersion } = object;
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (kind === 'AuthorizationPolicy' && group === 'security.istio.io') {
      this.claim(object, `AuthorizationPolicy ${object.namespace}/${object.name}`);
      this.addPolicy(readAuthorizationPolicy(object.body, object.namespace, object.file));
    } else if (group === 'apps' && WORKLOAD_KINDS.includes(kind)) {
      this.addWorkload(
        object,
        readOptionalMap('spec.template', this.spec(object).template),
        'spec.template',
      );
    } else if (group === 'batch' && kind === 'Job') {
      this.addWorkload(
        object,
        readOptionalMap('spec.template', this.spec(object).template),
        'spec.template',
      );
    } else if (group === 'batch' && kind === 'CronJob') {
      const job = readOptionalMap('spec.jobTemplate', this.spec(object).jobTemplate);
      const jobSpec = readOptionalMap('spec.jobTemplate.spec', job.spec);
      this.addWorkload(
        object,
        readOptionalMap('spec.jobTemplate.spec.template', jobSpec.template),
        'spec.jobTemplate.spec.template',
      );
    } else if (apiVersion === 'v1' && kind === 'Pod') {
      this.addWorkload(object, object.body, '');
    } else if (apiVersion === 'v1' && kind === 'Service') {
      this.addService(object);
    } else if (group === 'gateway.networking.k8s.io' && kind === 'Gateway') {
      this.addGateway(object);
    } else if (group === 'gateway.networking.k8s.io' && kind === 'HTTPRoute') {
      this.claim(object, `HTTPRoute ${object.namespace}/${object.name}`);
      this.routeList.push({
        name: object.name,
        namespace: object.namespace,
        body: object.body,
        file: object.file,
      });
    }
    // Every other kind (ServiceAccount, ConfigMap, PeerAuthentication, ...) does not change a
    // decision and is ignored.
  }

  private spec(object: ManifestObject): YamlMap {
    return readOptionalMap('spec', object.body.spec);
  }

  /** Whether ztunnel captures pods with `labels` in `namespace`. */
  private captured(namespace: string, labels: Labels): boolean {
    const podMode = labels['istio.io/dataplane-mode'];
    if (podMode === 'none') {
      return false;
    }
    if (podMode === 'ambient') {
      return true;
    }
    return this.namespaceOf(namespace).labels['istio.io/dataplane-mode'] === 'ambient';
  }

  private addWorkload(object: ManifestObject, template: YamlMap, field: string): void {
    this.claim(object, `${object.kind} ${object.namespace}/${object.name}`);
    const prefix = field === '' ? '' : `${field}.`;
    const metadata = readOptionalMap(`${prefix}metadata`, template.metadata);
    const labels = readStringMap(`${prefix}metadata.labels`, metadata.labels);
    const podSpec = readOptionalMap(`${prefix}spec`, template.spec);
    const serviceAccount =
      readOptionalString(`${prefix}spec.serviceAccountName`, podSpec.serviceAccountName) ??
      readOptionalString(`${prefix}spec.serviceAccount`, podSpec.serviceAccount) ??
      'default';
    const containerPorts = new Map<string, number>();
    for (const key of ['containers', 'initContainers']) {
      readList(`${prefix}spec.${key}`, podSpec[key]).forEach((container, index) => {
        const ports = isMap(container)
          ? readList(`${prefix}spec.${key}[${index}].ports`, container.ports)
          : [];
        for (const port of ports) {
          if (
            isMap(port) &&
            typeof port.name === 'string' &&
            typeof port.containerPort === 'number'
          ) {
            containerPorts.set(port.name, port.containerPort);
          }
        }
      });
    }
    push(this.workloadsByNs, object.namespace, {
      kind: object.kind,
      name: object.name,
      namespace: object.namespace,
      labels,
      serviceAccount,
      identity: identityOf(this.trustDomain, object.namespace, serviceAccount),
      ambient: this.captured(object.namespace, labels),
      containerPorts,
      file: object.file,
    });
  }

  private addService(object: ManifestObject): void {
    this.claim(object, `Service ${object.namespace}/${object.name}`);
    const metadata = readOptionalMap('metadata', object.body.metadata);
    const spec = this.spec(object);
    const ports = readList('spec.ports', spec.ports).map((raw, index): ServicePort => {
      const field = `spec.ports[${index}]`;
      const port = readOptionalMap(field, raw);
      if (typeof port.port !== 'number' || !Number.isInteger(port.port)) {
        throw new InvalidValueError(
          `${field}.port`,
          `must be a port number, got ${quote(port.port)}`,
        );
      }
      const target = port.targetPort ?? port.port;
      if (typeof target !== 'number' && typeof target !== 'string') {
        throw new InvalidValueError(
          `${field}.targetPort`,
          `must be a port number or a container port name, got ${quote(target)}`,
        );
      }
      const name = readOptionalString(`${field}.name`, port.name);
      const appProtocol = readOptionalString(`${field}.appProtocol`, port.appProtocol);
      return {
        name,
        port: port.port,
        targetPort: target,
        http: HTTP_PORT.test(appProtocol ?? name ?? ''),
      };
    });
    const selector =
      spec.selector === undefined || spec.selector === null
        ? undefined
        : readStringMap('spec.selector', spec.selector);
    push(this.servicesByNs, object.namespace, {
      name: object.name,
      namespace: object.namespace,
      labels: readStringMap('metadata.labels', metadata.labels),
      selector: selector && Object.keys(selector).length > 0 ? selector : undefined,
      ports,
      file: object.file,
    });
  }

  private addGateway(object: ManifestObject): void {
    this.claim(object, `Gateway ${object.namespace}/${object.name}`);
    const metadata = readOptionalMap('metadata', object.body.metadata);
    const labels = readStringMap('metadata.labels', metadata.labels);
    const spec = this.spec(object);
    const className = readOptionalString('spec.gatewayClassName', spec.gatewayClassName) ?? '';
    const key = `${object.namespace}/${object.name}`;

    if (className === 'istio-waypoint') {
      const trafficType = labels['istio.io/waypoint-for'] ?? 'service';
      if (!['service', 'workload', 'all', 'none'].includes(trafficType)) {
        throw new InvalidValueError(
          'metadata.labels.istio.io/waypoint-for',
          `is ${quote(trafficType)}; allowed: service, workload, all, none`,
        );
      }
      this.waypoints.set(key, {
        name: object.name,
        namespace: object.namespace,
        className,
        identity: identityOf(this.trustDomain, object.namespace, object.name),
        trafficType: trafficType as Waypoint['trafficType'],
      });
      return;
    }
    if (className !== 'istio') {
      // Gateways of other classes are run by other controllers; Istio policies do not reach them.
      return;
    }

    const listeners = readList('spec.listeners', spec.listeners).map(
      (raw, index): GatewayListener => {
        const field = `spec.listeners[${index}]`;
        const listener = readOptionalMap(field, raw);
        if (typeof listener.port !== 'number') {
          throw new InvalidValueError(
            `${field}.port`,
            `must be a port number, got ${quote(listener.port)}`,
          );
        }
        const allowed = readOptionalMap(`${field}.allowedRoutes`, listener.allowedRoutes);
        const namespaces = readOptionalMap(`${field}.allowedRoutes.namespaces`, allowed.namespaces);
        const from =
          readOptionalString(`${field}.allowedRoutes.namespaces.from`, namespaces.from) ?? 'Same';
        if (!['Same', 'All', 'Selector'].includes(from)) {
          throw new InvalidValueError(
            `${field}.allowedRoutes.namespaces.from`,
            `is ${quote(from)}; allowed: Same, All, Selector`,
          );
        }
        const selector = readOptionalMap(
          `${field}.allowedRoutes.namespaces.selector`,
          namespaces.selector,
        );
        return {
          name: readOptionalString(`${field}.name`, listener.name) ?? '',
          port: listener.port,
          protocol: readOptionalString(`${field}.protocol`, listener.protocol) ?? 'HTTP',
          hostname: readOptionalString(`${field}.hostname`, listener.hostname),
          routesFrom: from as GatewayListener['routesFrom'],
          routesSelector:
            from === 'Selector'
              ? readStringMap(
                  `${field}.allowedRoutes.namespaces.selector.matchLabels`,
                  selector.matchLabels,
                )
              : undefined,
        };
      },
    );
    const infrastructure = readOptionalMap('spec.infrastructure', spec.infrastructure);
    const podLabels = {
      ...readStringMap('spec.infrastructure.labels', infrastructure.labels),
      [GATEWAY_NAME_LABEL]: object.name,
    };
    const serviceAccount = `${object.name}-istio`;
    // The gateway and its pods refer to each other: build the pods first, then link them.
    const workload: { -readonly [K in keyof Workload]: Workload[K] } = {
      kind: 'Gateway',
      name: object.name,
      namespace: object.namespace,
      labels: podLabels,
      serviceAccount,
      identity: identityOf(this.trustDomain, object.namespace, serviceAccount),
      ambient: this.captured(object.namespace, podLabels),
      containerPorts: new Map(),
      file: object.file,
    };
    const gateway: IngressGateway = {
      name: object.name,
      namespace: object.namespace,
      listeners,
      workload,
    };
    workload.gateway = gateway;
    this.gateways.set(key, gateway);
  }

  private addPolicy(policy: AuthorizationPolicy): void {
    this.policyList.push(policy);
    // Dry-run policies never decide at either point (reference section 5); AUDIT never decides.
    if (policy.dryRun || policy.action === 'AUDIT') {
      return;
    }
    if (policy.targetRefs) {
      for (const ref of policy.targetRefs) {
        push(this.byTarget, `${ref.kind}/${policy.namespace}/${ref.name}`, policy);
      }
      return;
    }
    this.envoyIndex.add(policy);
    // istiod sends no CUSTOM policy to ztunnel (authorization.go l.434-444).
    if (policy.action !== 'CUSTOM') {
      this.ztunnelIndex.add(policy);
    }
  }

  /** The namespace named `name` (an unlabelled one when no manifest defines it). */
  public namespaceOf(name: string): MeshNamespace {
    return this.namespaces.get(name) ?? { name, labels: {} };
  }

  /** Every AuthorizationPolicy read, in input order. */
  public get policies(): readonly AuthorizationPolicy[] {
    return this.policyList;
  }

  /** Every HTTPRoute read, in input order. */
  public get httpRoutes(): readonly HttpRouteObject[] {
    return this.routeList;
  }

  /** Every workload (not gateways), sorted by namespace then name. */
  public get workloads(): Workload[] {
    return [...this.workloadsByNs.keys()].sort().flatMap((ns) => this.workloadsByNs.get(ns)!);
  }

  /** Every Service, sorted by namespace then name. */
  public get services(): MeshService[] {
    return [...this.servicesByNs.keys()].sort().flatMap((ns) => this.servicesByNs.get(ns)!);
  }

  /** Every ingress gateway, sorted by namespace then name. */
  public get ingressGateways(): IngressGateway[] {
    return [...this.gateways.keys()].sort().map((key) => this.gateways.get(key)!);
  }

  /**
   * The workload `name` in `namespace`; `name` may be `Kind/name` to pick one of two workloads of
   * different kinds with the same name. Returns undefined when there is none; throws when the
   * name is ambiguous.
   */
  public workload(namespace: string, name: string): Workload | undefined {
    const slash = name.indexOf('/');
    const kind = slash === -1 ? undefined : name.slice(0, slash);
    const bare = slash === -1 ? name : name.slice(slash + 1);
    const found = (this.workloadsByNs.get(namespace) ?? []).filter(
      (w) => w.name === bare && (kind === undefined || w.kind === kind),
    );
    if (found.length > 1) {
      throw new InvalidValueError(
        'workload',
        `${quote(name)} names ${found.map((w) => w.kind).join(' and ')} objects in ${namespace}; ` +
          `write "<Kind>/${bare}"`,
      );
    }
    return found[0];
  }

  /** The Service `name` in `namespace`, or undefined. */
  public service(namespace: string, name: string): MeshService | undefined {
    return (this.servicesByNs.get(namespace) ?? []).find((s) => s.name === name);
  }

  /** The ingress gateway (class `istio`) `name` in `namespace`, or undefined. */
  public ingressGateway(namespace: string, name: string): IngressGateway | undefined {
    return this.gateways.get(`${namespace}/${name}`);
  }

  /** The waypoint (class `istio-waypoint`) `name` in `namespace`, or undefined. */
  public waypoint(namespace: string, name: string): Waypoint | undefined {
    return this.waypoints.get(`${namespace}/${name}`);
  }

  /** The workloads a Service selects, sorted by name. */
  public backends(service: MeshService): Workload[] {
    let list = this.backendCache.get(service);
    if (!list) {
      const selector = service.selector;
      list = selector
        ? (this.workloadsByNs.get(service.namespace) ?? []).filter((w) =>
            selectorMatches(selector, w.labels),
          )
        : [];
      this.backendCache.set(service, list);
    }
    return list;
  }

  /** The Services that select `workload`. */
  public servicesOf(workload: Workload): MeshService[] {
    let list = this.servicesOfCache.get(workload);
    if (!list) {
      list = (this.servicesByNs.get(workload.namespace) ?? []).filter(
        (s) => s.selector !== undefined && selectorMatches(s.selector, workload.labels),
      );
      this.servicesOfCache.set(workload, list);
    }
    return list;
  }

  /**
   * Which waypoint an object uses: its own `istio.io/use-waypoint` label, else its namespace's
   * (`none` opts out), in the namespace of `istio.io/use-waypoint-namespace` or its own.
   * Returns the `<ns>/<name>` key, or undefined when it uses none.
   */
  public waypointKeyFor(namespace: string, labels: Labels): string | undefined {
    const own = labels['istio.io/use-waypoint'];
    const source = own !== undefined ? labels : this.namespaceOf(namespace).labels;
    const name = source['istio.io/use-waypoint'];
    if (name === undefined || name === '' || name === 'none') {
      return undefined;
    }
    return `${source['istio.io/use-waypoint-namespace'] ?? namespace}/${name}`;
  }

  /** {@link waypointKeyFor} of a Service or workload, kept after the first call. */
  public waypointKeyOf(object: MeshService | Workload): string | undefined {
    if (this.waypointKeyCache.has(object)) {
      return this.waypointKeyCache.get(object);
    }
    const key = this.waypointKeyFor(object.namespace, object.labels);
    this.waypointKeyCache.set(object, key);
    return key;
  }

  /** The waypoint object for a `<ns>/<name>` key. */
  public waypointByKey(key: string): Waypoint | undefined {
    return this.waypoints.get(key);
  }

  /**
   * Policies ztunnel enforces for `workload` (reference section 2): root namespace without
   * selector, the workload's namespace without selector, selectors of its namespace and of the
   * root namespace, and the auto-allow waypoint policy when enabled. Sorted by id.
   */
  public ztunnelPolicies(workload: Workload): readonly AuthorizationPolicy[] {
    let list = this.ztunnelCache.get(workload);
    if (list) {
      return list;
    }
    list = this.scoped(this.ztunnelIndex, workload, false);
    if (this.autoAllowWaypointPolicy) {
      list.push(...this.autoAllowPolicies(workload));
    }
    list = sortById([...new Set(list)]);
    this.ztunnelCache.set(workload, list);
    return list;
  }

  private scoped(
    index: ScopeIndex,
    workload: Workload,
    emptySelectorSelectsAll: boolean,
  ): AuthorizationPolicy[] {
    const list: AuthorizationPolicy[] = [];
    const root = this.rootNamespace;
    list.push(...(index.byNamespace.get(root) ?? []));
    if (workload.namespace !== root) {
      list.push(...(index.byNamespace.get(workload.namespace) ?? []));
    }
    index.selecting(workload.namespace, workload.labels, list);
    if (workload.namespace !== root) {
      index.selecting(root, workload.labels, list);
    }
    if (emptySelectorSelectsAll) {
      // An Envoy proxy reads `selector: {}` as every workload it selects from (reference section
      // 2, edge case): its namespace's and, as for any selector, the root namespace's, which
      // reach all namespaces. ztunnel attaches it to nothing.
      list.push(...(index.emptySelector.get(workload.namespace) ?? []));
      if (workload.namespace !== root) {
        list.push(...(index.emptySelector.get(root) ?? []));
      }
    }
    return list;
  }

  /**
   * The synthesized ALLOW of every waypoint that really serves `workload`: its own waypoint only
   * if that waypoint takes workload traffic, a Service's only if it takes service traffic
   * (istiod's `fetchWaypointForWorkload` / `fetchWaypointForService` feed
   * `implicitWaypointPolicies`, reference section 2).
   */
  private autoAllowPolicies(workload: Workload): AuthorizationPolicy[] {
    const waypoints = new Map<string, Waypoint>();
    const add = (key: string | undefined, serves: Waypoint['trafficType']) => {
      const waypoint = key === undefined ? undefined : this.waypoints.get(key);
      if (waypoint && (waypoint.trafficType === serves || waypoint.trafficType === 'all')) {
        waypoints.set(key!, waypoint);
      }
    };
    add(this.waypointKeyOf(workload), 'workload');
    for (const service of this.servicesOf(workload)) {
      add(this.waypointKeyOf(service), 'service');
    }
    return [...waypoints.keys()].sort().map((key) => autoAllowPolicy(waypoints.get(key)!));
  }

  /**
   * Policies the Envoy of an ingress gateway enforces (reference section 2): targetRefs to its
   * Gateway, and, as for any non-waypoint proxy, root, namespace and selector policies without
   * targetRefs. Sorted by id.
   */
  public gatewayPolicies(gateway: IngressGateway): readonly AuthorizationPolicy[] {
    let list = this.gatewayCache.get(gateway);
    if (!list) {
      list = sortById([
        ...new Set([
          ...(this.byTarget.get(`Gateway/${gateway.namespace}/${gateway.name}`) ?? []),
          ...this.scoped(this.envoyIndex, gateway.workload, true),
        ]),
      ]);
      this.gatewayCache.set(gateway, list);
    }
    return list;
  }

  /**
   * Policies a waypoint enforces for traffic to `service` (or to a workload directly when
   * `service` is undefined): targetRefs to the waypoint's Gateway (same namespace), to the
   * Service (the Service's namespace), and to the GatewayClass from the root namespace. Sorted
   * by id. Waypoints ignore selector, namespace and root policies.
   */
  public waypointPolicies(
    waypoint: Waypoint,
    service?: MeshService,
  ): readonly AuthorizationPolicy[] {
    let byService = this.waypointCache.get(waypoint);
    if (!byService) {
      byService = new Map();
      this.waypointCache.set(waypoint, byService);
    }
    let list = byService.get(service);
    if (!list) {
      const classPolicies = (
        this.byTarget.get(`GatewayClass/${this.rootNamespace}/${waypoint.className}`) ?? []
      ).filter((policy) => policy.namespace === this.rootNamespace);
      list = sortById([
        ...new Set([
          ...(this.byTarget.get(`Gateway/${waypoint.namespace}/${waypoint.name}`) ?? []),
          ...(service
            ? (this.byTarget.get(`Service/${service.namespace}/${service.name}`) ?? [])
            : []),
          ...classPolicies,
        ]),
      ]);
      byService.set(service, list);
    }
    return list;
  }
}

const autoAllowCache = new WeakMap<Waypoint, AuthorizationPolicy>();

/**
 * The ALLOW istiod synthesizes for a waypoint when PILOT_AUTO_ALLOW_WAYPOINT_POLICY is on
 * (policies.go l.300-343): the waypoint's identity, exact.
 */
export function autoAllowPolicy(waypoint: Waypoint): AuthorizationPolicy {
  let policy = autoAllowCache.get(waypoint);
  if (!policy) {
    policy = readAuthorizationPolicy(
      {
        metadata: { name: `istio_allow_waypoint_${waypoint.namespace}_${waypoint.name}` },
        spec: { rules: [{ from: [{ source: { principals: [waypoint.identity.principal] } }] }] },
      },
      waypoint.namespace,
      '(generated by istiod)',
    );
    autoAllowCache.set(waypoint, policy);
  }
  return policy;
}
