import { Chart, Testing } from 'cdk8s';
import { CrdValidator } from './crd-schema';

/** The validator of every synthesized object, loaded once per test file. */
export const crds = CrdValidator.fromDirectory();

/** Synthesized manifests, typed as loosely as cdk8s's own `Testing.synth` types them. */
export type Manifests = ReturnType<typeof Testing.synth>;

/**
 * Synthesizes `chart`, checks every object against the official CRD schema and CEL rules, and
 * returns the objects as they would be written to YAML.
 */
export function synthValid(chart: Chart): Manifests {
  const objects = Testing.synth(chart);
  for (const object of objects) {
    crds.assertValid(object);
  }
  return objects;
}

/** A fresh chart in a fresh test app. */
export function testChart(): Chart {
  return new Chart(Testing.app(), 'test');
}
