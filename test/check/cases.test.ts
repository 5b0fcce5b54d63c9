// The cases file: strict reading, and running cases against a mesh.
import { parseCases, readCasesFile, runCases } from '../../lib/check/cases';
import {
  ALLOW_NOTHING,
  deployment,
  meshOf,
  namespace,
  policyObject,
  service,
  waypointGateway,
} from '../support/check-helpers';

const GOOD = `
mesh:
  rootNamespace: mesh-root
  trustDomain: corp.example
  autoAllowWaypointPolicy: true
cases:
  - name: a
    from: { workload: client, namespace: app, ip: 10.0.0.1 }
    to: { service: api, namespace: app, port: 80 }
    request: { method: POST, path: /x, host: api, headers: { x-a: b } }
    expect: deny
  - name: b
    from: { serviceAccount: sa }
    to: { workload: api, port: 80 }
    expect: allow
  - name: c
    from: { external: 203.0.113.1 }
    to: { gateway: gw, namespace: edge, port: 443 }
    expect: allow
  - name: d
    from: { ip: 10.0.0.2 }
    to: { service: api, port: 80 }
    expect: allow
`;

describe('parseCases', () => {
  test('reads the mesh block and every source and target form', () => {
    const file = parseCases('cases.yaml', GOOD);
    expect(file.mesh).toEqual({
      rootNamespace: 'mesh-root',
      trustDomain: 'corp.example',
      autoAllowWaypointPolicy: true,
    });
    expect(file.cases.map((c) => [c.name, c.from, c.to, c.expect])).toEqual([
      [
        'a',
        { workload: 'client', namespace: 'app', ip: '10.0.0.1' },
        { service: 'api', namespace: 'app', port: 80 },
        'deny',
      ],
      ['b', { serviceAccount: 'sa' }, { workload: 'api', port: 80 }, 'allow'],
      ['c', { external: '203.0.113.1' }, { gateway: 'gw', namespace: 'edge', port: 443 }, 'allow'],
      ['d', { ip: '10.0.0.2' }, { service: 'api', port: 80 }, 'allow'],
    ]);
    expect(file.cases[0].request).toEqual({
      method: 'POST',
      path: '/x',
      host: 'api',
      headers: { 'x-a': 'b' },
    });
  });

  const one = (item: string) => `cases:\n  - ${item.trim().split('\n').join('\n    ')}\n`;
  const valid = 'name: x\nfrom: { ip: 10.0.0.1 }\nto: { service: s, port: 80 }\nexpect: allow';

  test.each<[string, string, string]>([
    [
      'an unknown top-level key',
      `case: []\n`,
      'bad.yaml: case is not a known field; allowed here: mesh, cases',
    ],
    [
      'an unknown mesh key',
      `mesh: { root: x }\n${one(valid)}`,
      'bad.yaml: mesh.root is not a known field; allowed here: rootNamespace, trustDomain, autoAllowWaypointPolicy',
    ],
    [
      'a non-boolean autoAllowWaypointPolicy',
      `mesh: { autoAllowWaypointPolicy: "yes" }\n${one(valid)}`,
      'bad.yaml: mesh.autoAllowWaypointPolicy must be true or false, got "yes"',
    ],
    [
      'a root namespace that is no DNS-1123 label',
      `mesh: { rootNamespace: Istio-System }\n${one(valid)}`,
      'bad.yaml: mesh.rootNamespace "Istio-System" is not a valid namespace: use a DNS-1123 label',
    ],
    [
      'a root namespace with a space',
      `mesh: { rootNamespace: "X Y" }\n${one(valid)}`,
      'bad.yaml: mesh.rootNamespace "X Y" is not a valid namespace',
    ],
    [
      'a root namespace that is not a string',
      `mesh: { rootNamespace: 1 }\n${one(valid)}`,
      'bad.yaml: mesh.rootNamespace must be a string, got 1',
    ],
    [
      'a wildcard trust domain',
      `mesh: { trustDomain: "*" }\n${one(valid)}`,
      'bad.yaml: mesh.trustDomain "*" is not a trust domain',
    ],
    [
      'a trust domain with a wildcard label',
      `mesh: { trustDomain: "*.example" }\n${one(valid)}`,
      'bad.yaml: mesh.trustDomain "*.example" is not a trust domain',
    ],
    ['no cases', 'cases: []\n', 'bad.yaml: cases must list at least one case'],
    [
      'an unknown case key',
      one(`${valid}\nexpected: deny`),
      'bad.yaml: cases[0].expected is not a known field; allowed here: name, from, to, request, expect',
    ],
    [
      'a bad expect',
      one(valid.replace('expect: allow', 'expect: allowed')),
      'bad.yaml: cases[0].expect is "allowed"; write allow or deny',
    ],
    [
      'a missing name',
      one(valid.replace('name: x\n', '')),
      'bad.yaml: cases[0].name must be a string, got undefined',
    ],
    [
      'a source of no known form',
      one(valid.replace('{ ip: 10.0.0.1 }', '{ pod: x }')),
      'bad.yaml: cases[0].from must name a source: {workload, namespace}, {serviceAccount, namespace}, {ip} or {external: <ip>}, got {"pod":"x"}',
    ],
    [
      'a source mixing the {ip} and {external} forms',
      one(valid.replace('{ ip: 10.0.0.1 }', '{ ip: 10.0.0.1, external: 1.2.3.4 }')),
      'bad.yaml: cases[0].from takes exactly one of the forms {workload, namespace, ip}, {serviceAccount, namespace, ip}, {ip} or {external}; "ip" does not go with "external", got {"ip":"10.0.0.1","external":"1.2.3.4"}',
    ],
    [
      'a source mixing the {workload} and {serviceAccount} forms',
      one(valid.replace('{ ip: 10.0.0.1 }', '{ workload: w, serviceAccount: sa }')),
      'bad.yaml: cases[0].from takes exactly one of the forms {workload, namespace, ip}, {serviceAccount, namespace, ip}, {ip} or {external}; "serviceAccount" does not go with "workload"',
    ],
    [
      'a source with a namespace but no workload or service account',
      one(valid.replace('{ ip: 10.0.0.1 }', '{ ip: 10.0.0.1, namespace: app }')),
      'bad.yaml: cases[0].from takes exactly one of the forms {workload, namespace, ip}, {serviceAccount, namespace, ip}, {ip} or {external}; "namespace" does not go with "ip"',
    ],
    [
      'an extra source key',
      one(valid.replace('{ ip: 10.0.0.1 }', '{ workload: w, port: 1 }')),
      'bad.yaml: cases[0].from.port is not a known field; allowed here: workload, namespace, ip',
    ],
    [
      'a target of no known form',
      one(valid.replace('{ service: s, port: 80 }', '{ host: s, port: 80 }')),
      'bad.yaml: cases[0].to must name a destination',
    ],
    [
      'a port as a string',
      one(valid.replace('port: 80', 'port: "80"')),
      'bad.yaml: cases[0].to.port must be a whole number from 1 to 65535, got "80"',
    ],
    [
      'a port out of range',
      one(valid.replace('port: 80', 'port: 70000')),
      'bad.yaml: cases[0].to.port must be a whole number from 1 to 65535, got 70000',
    ],
    [
      'a relative request path',
      one(`${valid}\nrequest: { path: x }`),
      'bad.yaml: cases[0].request.path is "x"; a request path starts with "/"',
    ],
    [
      'a request path with a percent-encoding Envoy may treat either way',
      one(`${valid}\nrequest: { path: "/admin%2Fx" }`),
      'bad.yaml: cases[0].request.path is "/admin%2Fx": Istio\'s default path normalization (BASE) decodes only',
    ],
    [
      'a lower-case method, which Envoy refuses (400) before any policy',
      one(`${valid}\nrequest: { method: get }`),
      'bad.yaml: cases[0].request.method is "get"; Envoy refuses a method that is not upper case',
    ],
    [
      'an unknown request key',
      one(`${valid}\nrequest: { verb: GET }`),
      'bad.yaml: cases[0].request.verb is not a known field; allowed here: method, path, host, headers',
    ],
    [
      'a non-string header',
      one(`${valid}\nrequest: { headers: { a: 1 } }`),
      'bad.yaml: cases[0].request.headers.a must be a string, got 1',
    ],
    [
      'a repeated name',
      `cases:\n  - ${valid.split('\n').join('\n    ')}\n  - ${valid.split('\n').join('\n    ')}\n`,
      'bad.yaml: cases[1].name repeats "x"; case names must be unique',
    ],
    [
      'two documents',
      `${one(valid)}---\n${one(valid)}`,
      'bad.yaml: content must be one YAML mapping with `cases:` (and optionally `mesh:`)',
    ],
  ])('fails on %s', (_, text, message) => {
    expect(() => parseCases('bad.yaml', text)).toThrow(message);
  });

  test('fails on a cases file whose aliases repeat a large node (a YAML bomb)', () => {
    const names = JSON.stringify(Array.from({ length: 2000 }, (_, i) => `case-${i}`));
    const text = `names: &n ${names}\nmore: [${Array.from({ length: 60 }, () => '*n').join(', ')}]\n`;
    expect(() => parseCases('bomb.yaml', text)).toThrow(
      'bomb.yaml: document 1 grows by 120000 nodes when its aliases are expanded (at most ' +
        '100000); refusing a possible YAML bomb',
    );
  });

  test('readCasesFile fails on a missing file', () => {
    expect(() => readCasesFile('/nonexistent/cases.yaml')).toThrow(
      '/nonexistent/cases.yaml: path does not exist or cannot be read',
    );
  });
});

describe('runCases', () => {
  const mesh = meshOf([
    namespace('app'),
    deployment('app', 'client'),
    deployment('app', 'api'),
    service('app', 'api', 80),
    ALLOW_NOTHING,
  ]);

  test('compares each decision with its expectation and counts', () => {
    const report = runCases(
      mesh,
      parseCases(
        'c.yaml',
        `cases:
  - { name: denied, from: { workload: client }, to: { service: api, port: 80 }, expect: deny }
  - { name: wrong, from: { workload: client }, to: { service: api, port: 80 }, expect: allow }
`,
      ),
      'app',
    );
    expect(report).toEqual({
      results: [
        {
          name: 'denied',
          decision: 'deny',
          enforcedBy: 'ztunnel',
          policy: 'istio-system/allow-nothing',
          reason:
            'ztunnel of Deployment app/api: no ALLOW policy matches (applying: istio-system/allow-nothing)',
          expected: 'deny',
          pass: true,
        },
        expect.objectContaining({
          name: 'wrong',
          decision: 'deny',
          expected: 'allow',
          pass: false,
        }),
      ],
      summary: { passed: 1, failed: 1 },
    });
  });

  test('request paths are normalized as Istio does by default (BASE) before any match', () => {
    // https://istio.io/latest/docs/reference/config/security/normalization/: "/a/../b" is "/b",
    // and %2e is ".". A DENY on /admin must catch every spelling Envoy turns into /admin.
    const guarded = meshOf([
      namespace('app', { 'istio.io/use-waypoint': 'waypoint' }),
      deployment('app', 'client'),
      deployment('app', 'api'),
      service('app', 'api', 80),
      waypointGateway('app'),
      policyObject('app', 'no-admin', {
        targetRefs: [{ kind: 'Service', group: '', name: 'api' }],
        action: 'DENY',
        rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
      }),
    ]);
    const paths = [
      '/admin',
      '/x/../admin',
      '/x/%2e%2e/admin',
      '/./admin',
      '/x\\..\\admin',
      '/%61dmin',
    ];
    const cases = parseCases(
      'c.yaml',
      `cases:\n${paths
        .map(
          (path, index) =>
            `  - { name: "p${index}", from: { workload: client }, to: { service: api, port: 80 }, request: { path: ${JSON.stringify(path)} }, expect: deny }\n`,
        )
        .join('')}`,
    );
    expect(cases.cases.map((item) => item.request?.path)).toEqual(paths.map(() => '/admin'));
    const report = runCases(guarded, cases, 'app');
    expect(report.results.map((result) => [result.decision, result.policy])).toEqual(
      paths.map(() => ['deny', 'app/no-admin']),
    );
  });

  test('a case naming something not in the manifests is bad input naming the case and field', () => {
    const cases = parseCases(
      'c.yaml',
      'cases:\n  - { name: typo, from: { workload: clinet }, to: { service: api, port: 80 }, expect: deny }\n',
    );
    expect(() => runCases(mesh, cases, 'app')).toThrow(
      'c.yaml: cases[0] ("typo").from.workload is "clinet", but no workload of that name is in namespace "app" of the manifests',
    );
  });
});
