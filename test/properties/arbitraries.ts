// Random meshes and random policy sets for the property tests, as plain data: the same value is
// turned into manifests and constructs (build.ts) and into expected decisions (model.ts), and
// fast-check prints it as the counterexample when a property fails.
import fc from 'fast-check';

/** Which traffic a waypoint serves (its `istio.io/waypoint-for` label). */
export type WaypointFor = 'service' | 'workload' | 'all';

/** A namespace, the waypoint it may host (named `waypoint`) and the waypoint it may use. */
export interface NamespaceSpec {
  readonly name: string;
  readonly ambient: boolean;
  /** The traffic the waypoint Gateway this namespace hosts serves, if it hosts one. */
  readonly hostsWaypoint?: WaypointFor;
  /**
   * The namespace whose waypoint every workload of this one uses (`istio.io/use-waypoint`, plus
   * `istio.io/use-waypoint-namespace` when it is another namespace).
   */
  readonly usesWaypointOf?: string;
}

/** A Deployment whose pods carry `app: <name>` and `tier: <tier>`. */
export interface WorkloadSpec {
  readonly namespace: string;
  readonly name: string;
  readonly tier: 'front' | 'back';
  readonly serviceAccount: string;
  /** The pod's own `istio.io/dataplane-mode` label; `inherit` sets none. */
  readonly mode: 'inherit' | 'none' | 'ambient';
  readonly ports: readonly number[];
  /** The pod address a case gives for it (workloads in manifests have none). */
  readonly ip: string;
}

/** A Service with one port, selecting by `app` or by `tier`. */
export interface ServiceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly port: number;
  readonly targetPort: number;
  /** Whether the port is named `http` (an HTTP chain at the waypoint) or `tcp`. */
  readonly http: boolean;
}

/** A whole random mesh. */
export interface MeshSpec {
  readonly trustDomain: string;
  readonly rootNamespace: string;
  /** istiod's PILOT_AUTO_ALLOW_WAYPOINT_POLICY: istiod, not the chart, lets waypoints through. */
  readonly autoAllowWaypointPolicy: boolean;
  readonly namespaces: readonly NamespaceSpec[];
  readonly workloads: readonly WorkloadSpec[];
  readonly services: readonly ServiceSpec[];
}

/** A source as the {@link Source} factories build it. */
export type SourceSpec =
  | { readonly kind: 'serviceAccount'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'namespace'; readonly namespaces: readonly string[] }
  | { readonly kind: 'principal'; readonly principal: string }
  | { readonly kind: 'ipBlocks'; readonly cidrs: readonly string[] }
  | { readonly kind: 'requestPrincipal'; readonly requestPrincipal: string };

/** A `when` condition on a key ztunnel evaluates. */
export interface ConditionSpec {
  readonly key: 'source.namespace' | 'destination.port';
  readonly values: readonly string[];
}

/** What a {@link WorkloadAllow} applies to. */
export type WorkloadTargetSpec =
  | {
      readonly kind: 'selector';
      readonly namespace: string;
      readonly labels: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'namespace'; readonly namespace: string };

/** One rule of a {@link WorkloadAllow}. */
export interface WorkloadRuleSpec {
  readonly from: readonly SourceSpec[];
  readonly ports?: readonly number[];
  readonly when?: readonly ConditionSpec[];
}

/** A {@link WorkloadAllow}. */
export interface WorkloadAllowSpec {
  readonly target: WorkloadTargetSpec;
  readonly rules: readonly WorkloadRuleSpec[];
}

/** One HTTP operation of a {@link ServiceAllow} rule. */
export interface OperationSpec {
  readonly ports?: readonly number[];
  readonly methods?: readonly string[];
  readonly paths?: readonly string[];
  readonly hosts?: readonly string[];
}

/** One rule of a {@link ServiceAllow}. */
export interface ServiceRuleSpec {
  readonly from: readonly SourceSpec[];
  readonly to?: readonly OperationSpec[];
}

/** A `targetRefs` entry of a {@link ServiceAllow}: a Service, or a waypoint of its namespace. */
export type ServiceTargetSpec =
  { readonly kind: 'service'; readonly name: string } | { readonly kind: 'waypoint' };

/** A {@link ServiceAllow}; every target is in `namespace`. */
export interface ServiceAllowSpec {
  readonly namespace: string;
  readonly targets: readonly ServiceTargetSpec[];
  readonly rules: readonly ServiceRuleSpec[];
}

/** The policies the constructs are told to write. */
export interface PolicySpec {
  readonly workloadAllows: readonly WorkloadAllowSpec[];
  readonly serviceAllows: readonly ServiceAllowSpec[];
  /** {@link NamespaceInternalAllow}s, one per namespace at most, with its waypoint or not. */
  readonly namespaceInternal: readonly NamespaceInternalSpec[];
}

/** A {@link NamespaceInternalAllow}: the namespace talks to itself, through its waypoint too. */
export interface NamespaceInternalSpec {
  readonly namespace: string;
  /** Whether the construct is given the namespace's own waypoint. */
  readonly waypoint: boolean;
}

/** A mesh and the policies written for it. */
export interface Scenario {
  readonly mesh: MeshSpec;
  readonly policies: PolicySpec;
}

/** The name every generated waypoint has (and its service account). */
export const WAYPOINT_NAME = 'waypoint';

const NAMESPACE_NAMES = ['alpha', 'beta', 'gamma'];
const SERVICE_ACCOUNTS = ['sa-a', 'sa-b'];
export const METHODS = ['GET', 'POST', 'DELETE'];
/** Paths a case requests; the patterns below match some of them exactly, by prefix or suffix. */
export const REQUEST_PATHS = ['/', '/api', '/api/v1', '/img.png', '/admin'];
const PATH_PATTERNS = ['/', '/api', '/api/*', '*.png', '/admin', '*'];
const CIDRS = ['10.0.1.0/24', '10.0.0.0/16', '10.0.2.1/32', '10.0.3.0/24', '192.168.0.0/16'];

const namespaceArb = fc.record({
  ambient: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  hostsWaypoint: fc.option(fc.constantFrom<WaypointFor>('service', 'workload', 'all'), {
    nil: undefined,
    freq: 2,
  }),
  // Which hosting namespace to use, counted from this one: 0 is its own waypoint if it has one.
  uses: fc.option(fc.nat(2), { nil: undefined, freq: 3 }),
});

const workloadArb = fc.record({
  tier: fc.constantFrom<'front' | 'back'>('front', 'back'),
  serviceAccount: fc.constantFrom(...SERVICE_ACCOUNTS, 'own'),
  mode: fc.oneof(
    { weight: 6, arbitrary: fc.constant<'inherit'>('inherit') },
    fc.constantFrom<'none' | 'ambient'>('none', 'ambient'),
  ),
  ports: fc.constantFrom<readonly number[]>([8080], [8080, 9090]),
});

const serviceArb = fc.record({
  selectBy: fc.constantFrom<'app' | 'tier'>('app', 'tier'),
  index: fc.nat(9),
  tier: fc.constantFrom('front', 'back'),
  port: fc.constantFrom(
    { port: 80, targetPort: 8080, http: true },
    { port: 8080, targetPort: 8080, http: true },
    { port: 9090, targetPort: 9090, http: false },
  ),
});

/** A random mesh of one to three namespaces, each with one to three workloads. */
export const meshArb: fc.Arbitrary<MeshSpec> = fc
  .record({
    trustDomain: fc.constantFrom('cluster.local', 'corp.example'),
    rootNamespace: fc.constantFrom('istio-system', 'mesh-root'),
    autoAllowWaypointPolicy: fc.boolean(),
    namespaces: fc.integer({ min: 1, max: 3 }).chain((count) =>
      fc.tuple(
        ...NAMESPACE_NAMES.slice(0, count).map(() =>
          fc.record({
            namespace: namespaceArb,
            workloads: fc.array(workloadArb, { minLength: 1, maxLength: 3 }),
            services: fc.array(serviceArb, { maxLength: 2 }),
          }),
        ),
      ),
    ),
  })
  .map(({ trustDomain, rootNamespace, autoAllowWaypointPolicy, namespaces }) => {
    const names = NAMESPACE_NAMES.slice(0, namespaces.length);
    const hosts = names.filter((_, index) => namespaces[index].namespace.hostsWaypoint);
    const specs: NamespaceSpec[] = namespaces.map(({ namespace: n }, index) => {
      const own = n.hostsWaypoint ? [names[index]] : [];
      const candidates = [...own, ...hosts.filter((host) => host !== names[index])];
      // Only an ambient namespace is served by a waypoint.
      const usesWaypointOf =
        n.ambient && n.uses !== undefined && candidates.length > 0
          ? candidates[n.uses % candidates.length]
          : undefined;
      return {
        name: names[index],
        ambient: n.ambient,
        ...(n.hostsWaypoint ? { hostsWaypoint: n.hostsWaypoint } : {}),
        ...(usesWaypointOf ? { usesWaypointOf } : {}),
      };
    });
    const workloads: WorkloadSpec[] = [];
    const services: ServiceSpec[] = [];
    // Pods opting out of the mesh would be skipped by a waypoint of their namespace as well;
    // keep that combination out instead of modelling what Istio does with it.
    namespaces.forEach(({ workloads: ws, services: ss }, nsIndex) => {
      const namespace = specs[nsIndex];
      ws.forEach((w, index) => {
        const name = `w${index}`;
        workloads.push({
          namespace: namespace.name,
          name,
          tier: w.tier,
          serviceAccount: w.serviceAccount === 'own' ? name : w.serviceAccount,
          mode: namespace.usesWaypointOf && w.mode === 'none' ? 'inherit' : w.mode,
          ports: w.ports,
          ip: `10.0.${nsIndex + 1}.${index + 1}`,
        });
      });
      ss.forEach((s, index) => {
        services.push({
          namespace: namespace.name,
          name: `svc${index}`,
          selector: s.selectBy === 'app' ? { app: `w${s.index % ws.length}` } : { tier: s.tier },
          ...s.port,
        });
      });
    });
    return {
      trustDomain,
      rootNamespace,
      autoAllowWaypointPolicy,
      namespaces: specs,
      workloads,
      services,
    };
  });

const ipBlocksArb = fc
  .uniqueArray(fc.constantFrom(...CIDRS), { minLength: 1, maxLength: 2 })
  .map((cidrs): SourceSpec => ({ kind: 'ipBlocks', cidrs }));

/** Sources ztunnel can check, naming the namespaces and identities of `mesh` (and some others). */
export function l4SourceArb(mesh: MeshSpec): fc.Arbitrary<SourceSpec> {
  const namespaces = [...mesh.namespaces.map((n) => n.name), 'elsewhere'];
  const accounts = [...new Set([...SERVICE_ACCOUNTS, ...mesh.workloads.map((w) => w.name)])];
  const td = mesh.trustDomain;
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant<'serviceAccount'>('serviceAccount'),
        namespace: fc.constantFrom(...namespaces),
        name: fc.constantFrom(...accounts),
      }),
    },
    fc
      .uniqueArray(fc.constantFrom(...namespaces), { minLength: 1, maxLength: 2 })
      .map((list): SourceSpec => ({ kind: 'namespace', namespaces: list })),
    fc
      .tuple(
        fc.constantFrom(...namespaces),
        fc.constantFrom(...accounts),
        fc.constantFrom('exact', 'prefix', 'suffix', 'any', 'other-trust-domain'),
      )
      .map(([ns, sa, form]): SourceSpec => {
        const principal =
          form === 'exact'
            ? `${td}/ns/${ns}/sa/${sa}`
            : form === 'prefix'
              ? `${td}/ns/${ns}/*`
              : form === 'suffix'
                ? `*/sa/${sa}`
                : form === 'any'
                  ? '*'
                  : `other.example/ns/${ns}/sa/${sa}`;
        return { kind: 'principal', principal };
      }),
    ipBlocksArb,
  );
}

/** Sources of a {@link ServiceAllow}: those of ztunnel, plus a JWT request principal. */
export function l7SourceArb(mesh: MeshSpec): fc.Arbitrary<SourceSpec> {
  return fc.oneof(
    { weight: 8, arbitrary: l4SourceArb(mesh) },
    fc.constant<SourceSpec>({
      kind: 'requestPrincipal',
      requestPrincipal: 'https://issuer.example/user',
    }),
  );
}

function selectorLabelsArb(mesh: MeshSpec, namespace: string) {
  const names = mesh.workloads.filter((w) => w.namespace === namespace).map((w) => w.name);
  return fc.oneof(
    fc.constantFrom(...(names.length > 0 ? names : ['w0'])).map((app) => ({ app })),
    fc.constantFrom('front', 'back').map((tier) => ({ tier })),
    fc
      .tuple(
        fc.constantFrom(...(names.length > 0 ? names : ['w0'])),
        fc.constantFrom('front', 'back'),
      )
      .map(([app, tier]) => ({ app, tier })),
  );
}

/** A random {@link WorkloadAllow} for `mesh`, some targeting the root namespace's selector. */
export function workloadAllowArb(mesh: MeshSpec): fc.Arbitrary<WorkloadAllowSpec> {
  const namespaces = mesh.namespaces.map((n) => n.name);
  const target: fc.Arbitrary<WorkloadTargetSpec> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constantFrom(...namespaces).chain((namespace) =>
        selectorLabelsArb(mesh, namespace).map((labels): WorkloadTargetSpec => ({
          kind: 'selector',
          namespace,
          labels,
        })),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...namespaces)
        .map((namespace): WorkloadTargetSpec => ({ kind: 'namespace', namespace })),
    },
    // A selector in the root namespace selects matching pods of every namespace.
    selectorLabelsArb(mesh, namespaces[0]).map((labels): WorkloadTargetSpec => ({
      kind: 'selector',
      namespace: mesh.rootNamespace,
      labels,
    })),
  );
  const condition: fc.Arbitrary<ConditionSpec> = fc.oneof(
    fc
      .uniqueArray(fc.constantFrom(...namespaces), { minLength: 1, maxLength: 2 })
      .map((values): ConditionSpec => ({ key: 'source.namespace', values })),
    fc
      .uniqueArray(fc.constantFrom('8080', '9090'), { minLength: 1, maxLength: 2 })
      .map((values): ConditionSpec => ({ key: 'destination.port', values })),
  );
  const rule: fc.Arbitrary<WorkloadRuleSpec> = fc.record(
    {
      from: fc.array(l4SourceArb(mesh), { minLength: 1, maxLength: 3 }),
      ports: fc.uniqueArray(fc.constantFrom(8080, 9090, 80), { minLength: 1, maxLength: 2 }),
      when: fc.array(condition, { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['from'] },
  );
  return fc.record({ target, rules: fc.array(rule, { minLength: 1, maxLength: 3 }) });
}

const operationArb: fc.Arbitrary<OperationSpec> = fc
  .record(
    {
      ports: fc.uniqueArray(fc.constantFrom(8080, 9090, 80), { minLength: 1, maxLength: 2 }),
      methods: fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1, maxLength: 2 }),
      paths: fc.uniqueArray(fc.constantFrom(...PATH_PATTERNS), { minLength: 1, maxLength: 2 }),
      hosts: fc.uniqueArray(fc.constantFrom('*.svc.cluster.local', 'svc0.*', 'example.com'), {
        minLength: 1,
        maxLength: 2,
      }),
    },
    { requiredKeys: [] },
  )
  // An empty operation is refused by the construct (it would match every request).
  .filter((operation) => Object.keys(operation).length > 0);

/** A random {@link ServiceAllow} for `mesh`: Services of one namespace, or its waypoint. */
export function serviceAllowArb(mesh: MeshSpec): fc.Arbitrary<ServiceAllowSpec> {
  // Mostly in namespaces that have a waypoint: elsewhere the policy is written but nothing
  // enforces it.
  const withWaypoint = mesh.namespaces
    .filter((n) => n.hostsWaypoint || n.usesWaypointOf)
    .map((n) => n.name);
  const anyNamespace = fc.constantFrom(...mesh.namespaces.map((n) => n.name));
  const namespaceArb =
    withWaypoint.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...withWaypoint) }, anyNamespace)
      : anyNamespace;
  return namespaceArb.chain((namespace) => {
    const services = mesh.services.filter((s) => s.namespace === namespace).map((s) => s.name);
    const target: fc.Arbitrary<ServiceTargetSpec> =
      services.length > 0
        ? fc.oneof(
            {
              weight: 3,
              arbitrary: fc
                .constantFrom(...services)
                .map((name): ServiceTargetSpec => ({ kind: 'service', name })),
            },
            fc.constant<ServiceTargetSpec>({ kind: 'waypoint' }),
          )
        : fc.constant<ServiceTargetSpec>({ kind: 'waypoint' });
    const rule: fc.Arbitrary<ServiceRuleSpec> = fc.record(
      {
        from: fc.array(l7SourceArb(mesh), { minLength: 1, maxLength: 3 }),
        to: fc.array(operationArb, { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: ['from'] },
    );
    return fc.record({
      namespace: fc.constant(namespace),
      targets: fc.uniqueArray(target, {
        minLength: 1,
        maxLength: 2,
        selector: (t) => (t.kind === 'service' ? t.name : ''),
      }),
      rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
    });
  });
}

/** A random mesh with random WorkloadAllow and ServiceAllow policies for it. */
export const scenarioArb: fc.Arbitrary<Scenario> = meshArb.chain((mesh) =>
  fc.record({
    mesh: fc.constant(mesh),
    policies: fc.record({
      workloadAllows: fc.array(workloadAllowArb(mesh), { maxLength: 4 }),
      serviceAllows: fc.array(serviceAllowArb(mesh), { maxLength: 3 }),
      namespaceInternal: fc
        .uniqueArray(fc.constantFrom(...mesh.namespaces), {
          maxLength: 2,
          selector: (n) => n.name,
        })
        .chain((namespaces) =>
          fc.tuple(
            ...namespaces.map((n) =>
              // The construct takes a waypoint of the namespace itself only.
              (n.hostsWaypoint ? fc.boolean() : fc.constant(false)).map(
                (waypoint): NamespaceInternalSpec => ({ namespace: n.name, waypoint }),
              ),
            ),
          ),
        ),
    }),
  }),
);

/** A raw AuthorizationPolicy object the constructs never write: a DENY, or an ALLOW. */
export function rawPolicyArb(
  mesh: MeshSpec,
  action: 'ALLOW' | 'DENY',
  name: string,
): fc.Arbitrary<Record<string, unknown>> {
  const namespaces = [...mesh.namespaces.map((n) => n.name), mesh.rootNamespace];
  const td = mesh.trustDomain;
  return fc
    .record({
      namespace: fc.constantFrom(...namespaces),
      attach: fc.constantFrom('none', 'selector', 'service', 'waypoint'),
      labels: fc.constantFrom({ app: 'w0' }, { app: 'w1' }, { tier: 'front' }, { tier: 'back' }),
      service: fc.constantFrom('svc0', 'svc1'),
      rules: fc.array(
        fc.record(
          {
            from: fc.constantFrom(
              [{ source: { principals: [`${td}/ns/alpha/sa/sa-a`] } }],
              [{ source: { namespaces: ['beta'] } }],
              [{ source: { notPrincipals: [`${td}/ns/alpha/*`] } }],
              [{ source: { ipBlocks: ['10.0.1.0/24'] } }],
              [{ source: { requestPrincipals: ['*'] } }],
            ),
            to: fc.constantFrom(
              [{ operation: { ports: ['8080'] } }],
              [{ operation: { notPorts: ['9090'] } }],
              [{ operation: { methods: ['POST'] } }],
              [{ operation: { methods: ['GET'], ports: ['8080'] } }],
              [{ operation: { paths: ['/admin'] } }],
            ),
            when: fc.constantFrom(
              [{ key: 'source.namespace', values: ['alpha', 'gamma'] }],
              [{ key: 'destination.port', notValues: ['8080'] }],
              [{ key: 'request.headers[x-tenant]', values: ['a'] }],
            ),
          },
          { requiredKeys: [] },
        ),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map(({ namespace, attach, labels, service, rules }) => {
      const attachment =
        attach === 'selector'
          ? { selector: { matchLabels: labels } }
          : attach === 'service'
            ? { targetRefs: [{ group: '', kind: 'Service', name: service }] }
            : attach === 'waypoint'
              ? {
                  targetRefs: [
                    { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: WAYPOINT_NAME },
                  ],
                }
              : {};
      return {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name, namespace },
        spec: { action, ...attachment, rules },
      };
    });
}
