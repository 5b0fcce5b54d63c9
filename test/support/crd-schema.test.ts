import { CrdValidator } from './crd-schema';

// The validator is the judge of every other test's output, so it must itself be shown to reject
// what the API server rejects: each case below breaks one schema or CEL rule of the official CRDs.
const validator = CrdValidator.fromDirectory();

function policy(spec: Record<string, unknown>, name = 'p'): Record<string, unknown> {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'default' },
    spec,
  };
}

describe('CrdValidator', () => {
  test('knows the kinds of the shared CRDs, in both served versions', () => {
    expect(validator.kinds).toEqual([
      'gateway.networking.k8s.io/v1/Gateway',
      'gateway.networking.k8s.io/v1/GatewayClass',
      'gateway.networking.k8s.io/v1beta1/Gateway',
      'gateway.networking.k8s.io/v1beta1/GatewayClass',
      'security.istio.io/v1/AuthorizationPolicy',
      'security.istio.io/v1beta1/AuthorizationPolicy',
    ]);
  });

  test('accepts an empty spec and a full valid policy', () => {
    expect(validator.problems(policy({}))).toEqual([]);
    expect(
      validator.problems(
        policy({
          action: 'ALLOW',
          selector: { matchLabels: { app: 'web' } },
          rules: [
            {
              from: [{ source: { principals: ['cluster.local/ns/a/sa/b'] } }],
              to: [{ operation: { ports: ['8080'], methods: ['GET'] } }],
              when: [{ key: 'source.ip', values: ['10.0.0.1'] }],
            },
          ],
        }),
      ),
    ).toEqual([]);
  });

  test('fails on a field the schema does not declare (a typo the API server would prune)', () => {
    expect(
      validator.problems(policy({ rules: [{ from: [{ source: { ipBlock: ['x'] } }] }] })),
    ).toEqual(['/spec/rules/0/from/0/source: must NOT have additional properties ("ipBlock")']);
  });

  test('fails on a wrong type and an unknown enum value', () => {
    expect(validator.problems(policy({ action: 'PERMIT' }))).toContain(
      '/spec/action: must be equal to one of the allowed values',
    );
    expect(
      validator.problems(policy({ rules: [{ to: [{ operation: { ports: [8080] } }] }] })),
    ).toContain('/spec/rules/0/to/0/operation/ports/0: must be string');
  });

  test('fails on an invalid object name', () => {
    expect(validator.problems(policy({}, 'Bad_Name'))).toEqual([
      expect.stringContaining('/metadata/name: must match pattern'),
    ]);
  });

  test('fails on the CEL rule: selector together with targetRefs', () => {
    expect(
      validator.problems(
        policy({
          selector: { matchLabels: { app: 'web' } },
          targetRefs: [{ kind: 'Service', group: '', name: 'web' }],
        }),
      ),
    ).toEqual(['/spec: only one of targetRefs or selector can be set']);
  });

  test('fails on the CEL rule: cross-namespace targetRef', () => {
    expect(
      validator.problems(
        policy({ targetRefs: [{ kind: 'Service', group: '', name: 'web', namespace: 'other' }] }),
      ),
    ).toEqual([
      '/spec/targetRefs/0/namespace: cross namespace referencing is not currently supported',
    ]);
  });

  test('fails on the CEL rule: serviceAccounts mixed with principals', () => {
    expect(
      validator.problems(
        policy({ rules: [{ from: [{ source: { serviceAccounts: ['a'], principals: ['b'] } }] }] }),
      ),
    ).toEqual([
      '/spec/rules/0/from/0/source: Cannot set serviceAccounts with namespaces or principals',
    ]);
  });

  test('fails on the CEL rule of another CRD: duplicate Gateway listener names', () => {
    const problems = validator.problems({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'default' },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [
          { name: 'mesh', port: 15008, protocol: 'HBONE' },
          { name: 'mesh', port: 15009, protocol: 'HBONE' },
        ],
      },
    });
    expect(problems).toEqual(['/spec/listeners: Listener name must be unique within the Gateway']);
  });

  test('fails on a kind no CRD defines', () => {
    expect(
      validator.problems({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }),
    ).toEqual([expect.stringContaining('no CRD defines v1/Service')]);
  });

  test('assertValid throws with every problem listed', () => {
    expect(() => validator.assertValid(policy({ action: 'PERMIT' }, 'broken'))).toThrow(
      /AuthorizationPolicy broken is invalid:\n {2}\/spec\/action/,
    );
  });
});
