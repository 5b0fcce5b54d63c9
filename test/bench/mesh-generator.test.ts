import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  buildMatrix,
  Mesh,
  parseManifestText,
  ServiceAllow,
  WaypointAllow,
  WorkloadAllow,
} from '../../lib';
import { generateMesh, MeshSize, sizeForPolicies } from '../../bench/mesh-generator';
import { crds } from '../support/synth';

const OUTDIR = path.join(os.tmpdir(), 'never-written');

function objectsOf(size: MeshSize): Record<string, unknown>[] {
  const { app } = generateMesh(OUTDIR, size);
  return parseAllDocuments(app.synthYaml()).map((document) => document.toJS());
}

function count(objects: Record<string, unknown>[], kind: string): number {
  return objects.filter((object) => object.kind === kind).length;
}

describe('generateMesh', () => {
  const small: MeshSize = { namespaces: 3, workloadsPerNamespace: 4, allowsPerWorkload: 3 };

  test('builds the requested numbers of workloads and ALLOW policies', () => {
    const mesh = generateMesh(OUTDIR, small);
    const constructs = mesh.app.node.findAll();
    const workloadAllows = constructs.filter((c) => c instanceof WorkloadAllow);
    const serviceAllows = constructs.filter((c) => c instanceof ServiceAllow);
    const waypointAllows = constructs.filter((c) => c instanceof WaypointAllow);

    expect(mesh).toMatchObject({
      workloads: 12,
      servicePorts: 12,
      allowPolicies: 36,
      // Namespaces 0 and 2 have a waypoint: 2 x 4 workloads x 3 ALLOWs.
      serviceAllows: 24,
      waypoints: 2,
      authorizationPolicies: 36 + 2 + 3,
    });
    // Each WaypointAllow is a WorkloadAllow inside: the application's are the others.
    expect(workloadAllows.length - waypointAllows.length + serviceAllows.length).toBe(36);
    expect(serviceAllows).toHaveLength(24);
    expect(waypointAllows).toHaveLength(2);
  });

  test('synthesizes those objects, each AuthorizationPolicy and Gateway valid against its CRD', () => {
    const objects = objectsOf(small);
    expect(count(objects, 'Namespace')).toBe(3);
    expect(count(objects, 'Deployment')).toBe(12);
    expect(count(objects, 'Service')).toBe(12);
    expect(count(objects, 'ServiceAccount')).toBe(12);
    expect(count(objects, 'Gateway')).toBe(2);
    expect(count(objects, 'AuthorizationPolicy')).toBe(41);
    const checked = objects.filter((object) =>
      crds.kinds.includes(`${object.apiVersion}/${object.kind}`),
    );
    expect(checked).toHaveLength(43);
    for (const object of checked) {
      crds.assertValid(object);
    }
  });

  test('gives byte-identical YAML for the same size', () => {
    expect(generateMesh(OUTDIR, small).app.synthYaml()).toBe(
      generateMesh(OUTDIR, small).app.synthYaml(),
    );
  });

  test('opens exactly the pairs it generated ALLOWs for, as the checker decides them', () => {
    // Two ALLOWs per workload, both from the same namespace and with no path restriction.
    const size = { namespaces: 2, workloadsPerNamespace: 3, allowsPerWorkload: 2 };
    const { app } = generateMesh(OUTDIR, size);
    const mesh = Mesh.fromManifests(parseManifestText('mesh.yaml', app.synthYaml()));
    const matrix = buildMatrix(mesh);
    const allowed = matrix.rows.flatMap((row, r) =>
      matrix.columns
        .filter((_, c) => matrix.cells[r][c]?.decision === 'allow')
        .map((column) => `${row.workload.namespace}/${row.workload.name} -> ${column.label}`),
    );
    expect(matrix.rows).toHaveLength(6);
    expect(matrix.columns).toHaveLength(6);
    expect(allowed.sort()).toEqual(
      ['ns-0000', 'ns-0001']
        .flatMap((ns) => [
          `${ns}/svc-0000 -> ${ns}/svc-0001:8080`,
          `${ns}/svc-0000 -> ${ns}/svc-0002:8080`,
          `${ns}/svc-0001 -> ${ns}/svc-0000:8080`,
          `${ns}/svc-0001 -> ${ns}/svc-0002:8080`,
          `${ns}/svc-0002 -> ${ns}/svc-0000:8080`,
          `${ns}/svc-0002 -> ${ns}/svc-0001:8080`,
        ])
        .sort(),
    );
  });

  test('refuses a count that is not a positive integer', () => {
    expect(() => generateMesh(OUTDIR, { ...small, namespaces: 0 })).toThrow(
      'namespaces must be a positive integer, got 0',
    );
    expect(() => generateMesh(OUTDIR, { ...small, allowsPerWorkload: 1.5 })).toThrow(
      'allowsPerWorkload must be a positive integer, got 1.5',
    );
    expect(() =>
      generateMesh(OUTDIR, { namespaces: 1, workloadsPerNamespace: 1, allowsPerWorkload: 2 }),
    ).toThrow('allowsPerWorkload above 1 needs at least 2 workloadsPerNamespace');
  });
});

describe('sizeForPolicies', () => {
  test('spreads the policies over namespaces of 10 workloads with 10 ALLOWs each', () => {
    expect(sizeForPolicies(10000)).toEqual({
      namespaces: 100,
      workloadsPerNamespace: 10,
      allowsPerWorkload: 10,
    });
  });

  test('refuses a number of policies it cannot spread evenly', () => {
    expect(() => sizeForPolicies(150)).toThrow(
      'policies must be a positive multiple of 100, got 150',
    );
  });
});
