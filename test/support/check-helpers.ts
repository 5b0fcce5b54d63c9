// Builders shared by the checker's tests: policies and meshes from inline YAML or objects.
import { stringify } from 'yaml';
import { parseManifestText } from '../../lib/check/manifests';
import { Mesh, MeshOptions } from '../../lib/check/mesh';
import {
  AuthorizationPolicy,
  EvalContext,
  Identity,
  identityOf,
  readAuthorizationPolicy,
} from '../../lib/check/policy';

/** An AuthorizationPolicy read from `spec` (and optional metadata). */
export function policy(
  spec: Record<string, unknown>,
  metadata: { name?: string; namespace?: string; annotations?: Record<string, string> } = {},
): AuthorizationPolicy {
  const namespace = metadata.namespace ?? 'default';
  return readAuthorizationPolicy(
    { metadata: { name: metadata.name ?? 'p', annotations: metadata.annotations }, spec },
    namespace,
    'test.yaml',
  );
}

/** The identity of service account `sa` in `ns` in trust domain cluster.local. */
export function id(ns: string, sa: string): Identity {
  return identityOf('cluster.local', ns, sa);
}

/** A context with defaults: plaintext, unknown addresses, port 8080, no request. */
export function ctx(overrides: Partial<EvalContext> = {}): EvalContext {
  return { destinationPort: 8080, ...overrides };
}

/** An HTTP request with defaults GET / host example.com. */
export function http(overrides: Partial<NonNullable<EvalContext['request']>> = {}) {
  return { method: 'GET', path: '/', host: 'example.com', headers: {}, ...overrides };
}

/** A mesh from YAML documents (strings or objects). */
export function meshOf(documents: readonly (string | object)[], options: MeshOptions = {}): Mesh {
  const text = documents
    .map((document) => (typeof document === 'string' ? document : stringify(document)))
    .join('\n---\n');
  return Mesh.fromManifests(parseManifestText('mesh.yaml', text), options);
}

/** A Namespace object, ambient unless told otherwise. */
export function namespace(name: string, labels: Record<string, string> = {}, ambient = true) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { ...(ambient ? { 'istio.io/dataplane-mode': 'ambient' } : {}), ...labels },
    },
  };
}

/** A Deployment `name` with pod labels `app: name` (plus `labels`) and service account `sa`. */
export function deployment(
  ns: string,
  name: string,
  sa = name,
  labels: Record<string, string> = {},
  ports: { name: string; containerPort: number }[] = [],
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels } },
        spec: { serviceAccountName: sa, containers: [{ name, image: 'x', ports }] },
      },
    },
  };
}

/** A Service `name` selecting `app: app` on `port` (targetPort `target`). */
export function service(
  ns: string,
  name: string,
  port = 8080,
  labels: Record<string, string> = {},
  options: { app?: string; target?: number | string; portName?: string } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels },
    spec: {
      selector: { app: options.app ?? name },
      ports: [{ name: options.portName ?? 'http', port, targetPort: options.target ?? port }],
    },
  };
}

/** An AuthorizationPolicy manifest. */
export function policyObject(
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
) {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

/** A waypoint Gateway. */
export function waypointGateway(ns: string, name = 'waypoint', trafficType?: string) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name,
      namespace: ns,
      ...(trafficType ? { labels: { 'istio.io/waypoint-for': trafficType } } : {}),
    },
    spec: {
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    },
  };
}

/** The root allow-nothing policy. */
export const ALLOW_NOTHING = policyObject('istio-system', 'allow-nothing', {});
