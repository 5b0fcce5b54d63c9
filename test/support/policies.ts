import { Chart, Testing } from 'cdk8s';
import { crds, Manifests } from './synth';

const CRD_GROUPS = ['security.istio.io/', 'gateway.networking.k8s.io/'];

/**
 * Synthesizes `chart` (which may hold cdk8s-plus objects of core kinds, which no shared CRD
 * defines), checks every object of a CRD-defined group against the official schema and CEL
 * rules, and returns all objects.
 */
export function synthMixed(chart: Chart): Manifests {
  const objects = Testing.synth(chart);
  for (const object of objects) {
    if (CRD_GROUPS.some((group) => String(object.apiVersion).startsWith(group))) {
      crds.assertValid(object);
    }
  }
  return objects;
}

/** The AuthorizationPolicies of `objects`. */
export function policiesOf(objects: Manifests): Manifests {
  return objects.filter((object) => object.kind === 'AuthorizationPolicy');
}

/** The message of the error that synthesizing `chart` throws; fails if it does not throw. */
export function synthError(chart: Chart): string {
  try {
    Testing.synth(chart);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`synthesizing ${chart.node.path} succeeded, but an error was expected`);
}
