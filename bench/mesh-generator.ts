/**
 * Generates a platform-sized mesh with this project's own constructs, for `npm run bench`.
 *
 * Every namespace is its own chart (one YAML file, as a team's repository would hold it), enrolled
 * in ambient, with `workloadsPerNamespace` workloads (ServiceAccount, Deployment and Service, as
 * plain cdk8s objects). Every even namespace has a waypoint: its workloads are opened by
 * {@link ServiceAllow} (L7, at the waypoint); the others by {@link WorkloadAllow} (L4, at
 * ztunnel). Each workload gets `allowsPerWorkload` ALLOW policies, one per client, as teams write
 * them (one policy per caller); clients come from the same namespace and from the following ones.
 * One chart of kind {@link HardenedMesh} holds the lockdown and the waypoints' L4 ALLOWs.
 *
 * The output is deterministic: the same size gives byte-identical YAML.
 */
import { App, Chart } from 'cdk8s';
import {
  IntOrString,
  KubeDeployment,
  KubeNamespace,
  KubeService,
  KubeServiceAccount,
} from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { Gateway } from '../imports/gateway-gateway.networking.k8s.io';
import {
  HardenedMesh,
  HardenedMeshWaypointProps,
  ServiceAllow,
  ServiceTarget,
  Source,
  WorkloadAllow,
  WorkloadTarget,
} from '../lib';

/** The shape of a generated mesh. */
export interface MeshSize {
  /** Number of application namespaces. */
  readonly namespaces: number;
  /** Workloads (each with its Service and ServiceAccount) per namespace. */
  readonly workloadsPerNamespace: number;
  /** ALLOW policies per workload, one per client it accepts. */
  readonly allowsPerWorkload: number;
}

/** What {@link generateMesh} built. */
export interface GeneratedMesh {
  /** The app; call `synth()` to write its YAML to the outdir given. */
  readonly app: App;
  /** Workloads (Deployments) generated. */
  readonly workloads: number;
  /** Service ports generated: the columns of the reachability matrix. */
  readonly servicePorts: number;
  /** The application's ALLOW policies ({@link WorkloadAllow} and {@link ServiceAllow}). */
  readonly allowPolicies: number;
  /** Of those, the L7 ones ({@link ServiceAllow}). */
  readonly serviceAllows: number;
  /** Namespaces with a waypoint. */
  readonly waypoints: number;
  /**
   * Every AuthorizationPolicy of the app: the application's ALLOWs, one L4 ALLOW per waypoint,
   * the two allow-nothing policies and the ingress policy.
   */
  readonly authorizationPolicies: number;
}

/** The port every generated workload listens on and every generated Service exposes. */
export const APP_PORT = 8080;

/** The service account, Deployment and Service name of workload `index`. */
export function workloadName(index: number): string {
  return `svc-${String(index).padStart(4, '0')}`;
}

/** The name of namespace `index`. */
export function namespaceName(index: number): string {
  return `ns-${String(index).padStart(4, '0')}`;
}

/** The mesh with `policies` application ALLOWs: 10 workloads per namespace, 10 ALLOWs each. */
export function sizeForPolicies(policies: number): MeshSize {
  const perNamespace = 10 * 10;
  if (!Number.isInteger(policies) || policies < perNamespace || policies % perNamespace !== 0) {
    throw new Error(`policies must be a positive multiple of ${perNamespace}, got ${policies}`);
  }
  return { namespaces: policies / perNamespace, workloadsPerNamespace: 10, allowsPerWorkload: 10 };
}

function checkSize(size: MeshSize): void {
  for (const [field, value] of Object.entries(size)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
    }
  }
  if (size.workloadsPerNamespace < 2 && size.allowsPerWorkload > 1) {
    throw new Error('allowsPerWorkload above 1 needs at least 2 workloadsPerNamespace');
  }
}

/** One application namespace: its objects and the ALLOWs of its workloads. */
class TeamNamespace extends Chart {
  constructor(scope: Construct, size: MeshSize, index: number, waypoint: boolean) {
    const namespace = namespaceName(index);
    super(scope, namespace);

    new KubeNamespace(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: {
          'istio.io/dataplane-mode': 'ambient',
          ...(waypoint ? { 'istio.io/use-waypoint': 'waypoint' } : {}),
        },
      },
    });
    if (waypoint) {
      new Gateway(this, 'waypoint', {
        metadata: { name: 'waypoint', namespace, labels: { 'istio.io/waypoint-for': 'service' } },
        spec: {
          gatewayClassName: 'istio-waypoint',
          listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
        },
      });
    }

    for (let w = 0; w < size.workloadsPerNamespace; w++) {
      const name = workloadName(w);
      const labels = { app: name };
      new KubeServiceAccount(this, `${name}-sa`, { metadata: { name, namespace } });
      new KubeDeployment(this, `${name}-deployment`, {
        metadata: { name, namespace, labels },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: name,
              containers: [
                {
                  name: 'app',
                  image: 'registry.example/app:1.0.0',
                  ports: [{ name: 'http', containerPort: APP_PORT }],
                },
              ],
            },
          },
        },
      });
      new KubeService(this, `${name}-service`, {
        metadata: { name, namespace, labels },
        spec: {
          selector: labels,
          ports: [{ name: 'http', port: APP_PORT, targetPort: IntOrString.fromString('http') }],
        },
      });

      for (let k = 0; k < size.allowsPerWorkload; k++) {
        // Two clients live in the same namespace, the others in the following namespaces.
        const clientNamespace = namespaceName((index + Math.floor(k / 2)) % size.namespaces);
        const client = workloadName((w + k + 1) % size.workloadsPerNamespace);
        const from = [Source.serviceAccount(clientNamespace, client)];
        const id = `${name}-allow-${k}`;
        if (waypoint) {
          // Every third caller may read one API prefix only; the others any GET.
          const operation =
            k % 3 === 2
              ? { methods: ['GET'], paths: [`/api/v${k}/*`] }
              : { methods: ['GET', 'HEAD'], ports: [APP_PORT] };
          new ServiceAllow(this, id, {
            name: id,
            targets: [ServiceTarget.service(namespace, name)],
            rules: [{ from, to: [operation] }],
          });
        } else {
          new WorkloadAllow(this, id, {
            name: id,
            target: WorkloadTarget.selector(namespace, labels),
            rules: [{ from, ports: [APP_PORT] }],
          });
        }
      }
    }
  }
}

/**
 * Builds the app of a mesh of `size` that synthesizes into `outdir`. Throws when a count is not
 * a positive integer.
 */
export function generateMesh(outdir: string, size: MeshSize): GeneratedMesh {
  checkSize(size);
  const app = new App({ outdir });
  const waypoints: HardenedMeshWaypointProps[] = [];
  for (let n = 0; n < size.namespaces; n++) {
    const waypoint = n % 2 === 0;
    if (waypoint) {
      waypoints.push({ namespace: namespaceName(n) });
    }
    new TeamNamespace(app, size, n, waypoint);
  }
  new HardenedMesh(app, 'hardened-mesh', { waypoints });

  const workloads = size.namespaces * size.workloadsPerNamespace;
  const allowPolicies = workloads * size.allowsPerWorkload;
  return {
    app,
    workloads,
    servicePorts: workloads,
    allowPolicies,
    serviceAllows: waypoints.length * size.workloadsPerNamespace * size.allowsPerWorkload,
    waypoints: waypoints.length,
    // The two allow-nothing policies and the ingress gateway's.
    authorizationPolicies: allowPolicies + waypoints.length + 3,
  };
}
