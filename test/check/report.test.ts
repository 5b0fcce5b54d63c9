// The reachability matrix and its HTML and Markdown renderings.
import { buildMatrix, cellSummary, renderHtml, renderMarkdown } from '../../lib/check/report';
import {
  ALLOW_NOTHING,
  deployment,
  meshOf,
  namespace,
  policyObject,
  service,
} from '../support/check-helpers';

const mesh = meshOf([
  namespace('app'),
  namespace('legacy', {}, false),
  deployment('app', 'web'),
  deployment('app', 'api'),
  deployment('legacy', 'old'),
  service('app', 'api', 80),
  service('app', 'web', 8080),
  service('app', 'empty', 90, {}, { app: 'nothing' }),
  ALLOW_NOTHING,
  policyObject('app', 'api-from-web', {
    selector: { matchLabels: { app: 'api' } },
    rules: [{ from: [{ source: { principals: ['cluster.local/ns/app/sa/web'] } }] }],
  }),
]);
const matrix = buildMatrix(mesh);

describe('buildMatrix', () => {
  test('rows are captured workloads, columns every Service port, sorted', () => {
    expect(matrix.rows.map((r) => r.label)).toEqual(['Deployment app/api', 'Deployment app/web']);
    expect(matrix.columns.map((c) => c.label)).toEqual([
      'app/api:80',
      'app/empty:90',
      'app/web:8080',
    ]);
  });

  test('cells hold decisions; a Service with no workload has none', () => {
    expect(matrix.cells.map((row) => row.map((cell) => cell?.decision ?? null))).toEqual([
      ['deny', null, 'deny'],
      ['allow', null, 'deny'],
    ]);
    expect(matrix.cells[1][0]?.policy).toBe('app/api-from-web');
  });
});

describe('renderHtml', () => {
  const html = renderHtml(matrix);

  test('is one self-contained page: no script, no external resource', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  });

  test('each cell carries its decision, policy and hover text', () => {
    expect(html).toContain(
      '<td class="cell allow" tabindex="0" data-from="Deployment app/web" data-to="app/api:80" data-decision="allow" data-policy="app/api-from-web"',
    );
    expect(html).toContain(`<span class="tip">${cellSummary(matrix.cells[1][0]!)}</span>`);
    expect(html).toContain('data-decision="none"');
  });

  test('escapes markup in names', () => {
    expect(renderHtml(matrix, '<b>&')).toContain('<title>&lt;b&gt;&amp;</title>');
  });

  test('is deterministic', () => {
    expect(renderHtml(buildMatrix(mesh))).toBe(html);
  });
});

describe('renderMarkdown', () => {
  test('prints a table with the deciding policy', () => {
    expect(renderMarkdown(matrix)).toBe(
      [
        '| from \\ to | app/api:80 | app/empty:90 | app/web:8080 |',
        '| --- | --- | --- | --- |',
        '| Deployment app/api | **deny** (istio-system/allow-nothing) | – | **deny** (istio-system/allow-nothing) |',
        '| Deployment app/web | allow (app/api-from-web) | – | **deny** (istio-system/allow-nothing) |',
        '',
      ].join('\n'),
    );
  });
});

describe('names from manifests are inert in both renderings', () => {
  // Names in manifests are not validated: each of these would break the table, inject HTML or
  // move a terminal cursor if printed raw.
  const hostile = buildMatrix(
    meshOf([
      namespace('app'),
      deployment('app', '<img src=x onerror=alert(1)>'),
      deployment('app', 'api'),
      service('app', 'a|b\nc', 80, {}, { app: 'api' }),
      policyObject('app', '<script>x</script>&`*_~[l](u)\\\u001b[31m', {
        action: 'DENY',
        rules: [{}],
      }),
    ]),
  );

  test('Markdown: one row per line, no raw HTML, no cell split, code span, emphasis or link', () => {
    // Markdown shows a "\\" as "\": the name's own backslash and the one of printable()'s
    // "\u001b" are both doubled, so the page reads "\\u001b" and "\u000a" as written.
    const policy =
      '(app/&lt;script&gt;x&lt;/script&gt;&amp;\\`\\*\\_\\~\\[l\\](u)\\\\\\\\u001b\\[31m)';
    expect(renderMarkdown(hostile)).toBe(
      [
        '| from \\ to | app/a\\|b\\\\u000ac:80 |',
        '| --- | --- |',
        `| Deployment app/&lt;img src=x onerror=alert(1)&gt; | **deny** ${policy} |`,
        `| Deployment app/api | **deny** ${policy} |`,
        '',
      ].join('\n'),
    );
  });

  test('HTML: every name is escaped (no element, no attribute break-out)', () => {
    const html = renderHtml(hostile);
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('Deployment app/&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('data-policy="app/&lt;script&gt;x&lt;/script&gt;&amp;`*_~[l](u)');
  });
});

describe('buildMatrix on a broken Service', () => {
  test('fails naming the Service when a named targetPort is not declared by its backend', () => {
    const broken = meshOf([
      namespace('app'),
      deployment('app', 'api'),
      service('app', 'api', 80, {}, { target: 'web' }),
    ]);
    expect(() => buildMatrix(broken)).toThrow(
      'mesh.yaml: Service "app/api" spec.ports port 80 of Service app/api targets container port "web", which Deployment app/api does not declare',
    );
  });
});
