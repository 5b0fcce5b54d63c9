// Turns the random specs of arbitraries.ts into what a platform team would have: manifests of the
// mesh, and policies written by the project's constructs, synthesized to YAML; then loads both
// into the checker, which is the oracle of the property tests.
import { App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import {
  HardenedMesh,
  NamespaceInternalAllow,
  ServiceAllow,
  ServiceTarget,
  Source,
  WaypointAllow,
  WaypointAllowNothing,
  WorkloadAllow,
  WorkloadTarget,
  ZtunnelAllowNothing,
} from '../../lib';
import { ManifestObject, parseManifestText } from '../../lib/check/manifests';
import { Mesh } from '../../lib/check/mesh';
import {
  MeshSpec,
  Scenario,
  ServiceAllowSpec,
  SourceSpec,
  WAYPOINT_NAME,
  WorkloadAllowSpec,
} from './arbitraries';

/** The Kubernetes objects of the mesh itself: namespaces, workloads, Services, waypoints. */
export function meshObjects(mesh: MeshSpec): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  for (const namespace of mesh.namespaces) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace.name,
        labels: {
          ...(namespace.ambient ? { 'istio.io/dataplane-mode': 'ambient' } : {}),
          ...(namespace.usesWaypointOf ? { 'istio.io/use-waypoint': WAYPOINT_NAME } : {}),
          ...(namespace.usesWaypointOf && namespace.usesWaypointOf !== namespace.name
            ? { 'istio.io/use-waypoint-namespace': namespace.usesWaypointOf }
            : {}),
        },
      },
    });
    if (namespace.hostsWaypoint) {
      objects.push({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: {
          name: WAYPOINT_NAME,
          namespace: namespace.name,
          labels: { 'istio.io/waypoint-for': namespace.hostsWaypoint },
        },
        spec: {
          gatewayClassName: 'istio-waypoint',
          listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
        },
      });
    }
  }
  for (const workload of mesh.workloads) {
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: workload.name, namespace: workload.namespace },
      spec: {
        selector: { matchLabels: { app: workload.name } },
        template: {
          metadata: {
            labels: {
              app: workload.name,
              tier: workload.tier,
              ...(workload.mode === 'inherit' ? {} : { 'istio.io/dataplane-mode': workload.mode }),
            },
          },
          spec: {
            serviceAccountName: workload.serviceAccount,
            containers: [
              {
                name: 'main',
                image: 'example',
                ports: workload.ports.map((port) => ({ containerPort: port })),
              },
            ],
          },
        },
      },
    });
  }
  for (const service of mesh.services) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.name, namespace: service.namespace },
      spec: {
        selector: service.selector,
        ports: [
          {
            name: service.http ? 'http' : 'tcp',
            port: service.port,
            targetPort: service.targetPort,
          },
        ],
      },
    });
  }
  return objects;
}

/** The {@link Source} a spec describes. */
export function toSource(spec: SourceSpec): Source {
  switch (spec.kind) {
    case 'serviceAccount':
      return Source.serviceAccount(spec.namespace, spec.name);
    case 'namespace':
      return Source.namespace(...spec.namespaces);
    case 'principal':
      return Source.principal(spec.principal);
    case 'ipBlocks':
      return Source.ipBlocks([...spec.cidrs]);
    case 'requestPrincipal':
      return Source.requestPrincipal(spec.requestPrincipal);
  }
}

function addWorkloadAllow(chart: Chart, id: string, mesh: MeshSpec, spec: WorkloadAllowSpec) {
  const target =
    spec.target.kind === 'selector'
      ? WorkloadTarget.selector(spec.target.namespace, { ...spec.target.labels })
      : WorkloadTarget.namespace(spec.target.namespace);
  return new WorkloadAllow(chart, id, {
    target,
    trustDomain: mesh.trustDomain,
    rootNamespace: mesh.rootNamespace,
    // The generators write root-namespace selectors on purpose, to cover their every-namespace
    // reach; the construct wants that said out loud.
    everyNamespace: spec.target.namespace === mesh.rootNamespace,
    rules: spec.rules.map((rule) => ({
      from: rule.from.map(toSource),
      ...(rule.ports ? { ports: rule.ports } : {}),
      ...(rule.when ? { when: rule.when } : {}),
    })),
  });
}

function addServiceAllow(chart: Chart, id: string, mesh: MeshSpec, spec: ServiceAllowSpec) {
  return new ServiceAllow(chart, id, {
    trustDomain: mesh.trustDomain,
    targets: spec.targets.map((target) =>
      target.kind === 'service'
        ? ServiceTarget.service(spec.namespace, target.name)
        : ServiceTarget.waypoint(spec.namespace, WAYPOINT_NAME),
    ),
    rules: spec.rules.map((rule) => ({
      from: rule.from.map(toSource),
      ...(rule.to ? { to: rule.to } : {}),
    })),
  });
}

/** Each namespace served by a waypoint, with the waypoint's namespace. */
export function waypointUses(mesh: MeshSpec): { host: string; client: string }[] {
  return mesh.namespaces
    .filter((n) => n.usesWaypointOf)
    .map((n) => ({ host: n.usesWaypointOf!, client: n.name }));
}

/**
 * How the policies are composed:
 * - `open`: the constructs the scenario asks for and a {@link WaypointAllow} per waypoint (unless
 *   istiod writes those, `autoAllowWaypointPolicy`), in a plain chart (no lockdown);
 * - `allow-nothing`: the same plus the two allow-nothing policies, added as constructs;
 * - `hardened-mesh`: the constructs in a {@link HardenedMesh} chart (hardened mode, no ingress),
 *   which writes the allow-nothing policies and the waypoint ALLOWs itself.
 */
export type Composition = 'open' | 'allow-nothing' | 'hardened-mesh';

/** Builds the cdk8s app of the scenario's policies. */
export function policyApp(scenario: Scenario, composition: Composition): App {
  const { mesh, policies } = scenario;
  const app = new App();
  // The waypoint's L4 ALLOW goes to the namespaces it serves, wherever the waypoint runs.
  const waypoints = waypointUses(mesh).map(({ host, client }) => ({
    namespace: host,
    targets: [WorkloadTarget.namespace(client)],
  }));
  let chart: Chart;
  if (composition === 'hardened-mesh') {
    chart = new HardenedMesh(app, 'mesh', {
      ingress: false,
      rootNamespace: mesh.rootNamespace,
      trustDomain: mesh.trustDomain,
      autoAllowWaypointPolicy: mesh.autoAllowWaypointPolicy,
      waypoints,
    });
  } else {
    chart = new Chart(app, 'mesh');
    (mesh.autoAllowWaypointPolicy ? [] : waypoints).forEach(
      (waypoint, index) =>
        new WaypointAllow(chart, `waypoint-${index}`, {
          ...waypoint,
          trustDomain: mesh.trustDomain,
          rootNamespace: mesh.rootNamespace,
        }),
    );
    if (composition === 'allow-nothing') {
      new ZtunnelAllowNothing(chart, 'ztunnel-allow-nothing', {
        rootNamespace: mesh.rootNamespace,
      });
      new WaypointAllowNothing(chart, 'waypoint-allow-nothing', {
        rootNamespace: mesh.rootNamespace,
      });
    }
  }
  policies.workloadAllows.forEach((spec, index) =>
    addWorkloadAllow(chart, `workload-allow-${index}`, mesh, spec),
  );
  policies.namespaceInternal.forEach(
    (spec, index) =>
      new NamespaceInternalAllow(chart, `namespace-internal-${index}`, {
        namespace: spec.namespace,
        ...(spec.waypoint ? { waypoint: WAYPOINT_NAME } : {}),
      }),
  );
  policies.serviceAllows.forEach((spec, index) =>
    addServiceAllow(chart, `service-allow-${index}`, mesh, spec),
  );
  return app;
}

/** The YAML `npm run synth` would write for the scenario's policies. */
export function synthPolicies(scenario: Scenario, composition: Composition): string {
  return policyApp(scenario, composition).synthYaml();
}

/** The mesh's objects and the policy YAML, read by the checker's own reader. */
export function manifests(
  scenario: Scenario,
  policyYaml: string,
  extra: readonly Record<string, unknown>[] = [],
): ManifestObject[] {
  const meshYaml = meshObjects(scenario.mesh)
    .map((object) => stringify(object))
    .join('---\n');
  return [
    ...parseManifestText('mesh.yaml', meshYaml),
    ...parseManifestText('policies.yaml', policyYaml),
    ...parseManifestText('extra.yaml', extra.map((object) => stringify(object)).join('---\n')),
  ];
}

/** The checker's mesh of the scenario, with istiod's settings taken from the scenario. */
export function checkerMesh(
  scenario: Scenario,
  policyYaml: string,
  extra: readonly Record<string, unknown>[] = [],
): Mesh {
  return Mesh.fromManifests(manifests(scenario, policyYaml, extra), {
    rootNamespace: scenario.mesh.rootNamespace,
    trustDomain: scenario.mesh.trustDomain,
    autoAllowWaypointPolicy: scenario.mesh.autoAllowWaypointPolicy,
  });
}
