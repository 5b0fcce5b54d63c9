// Reading manifests: files and directories, multi-document YAML, hostile input.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  loadManifests,
  MAX_ALIAS_EXPANSION,
  MAX_DOCUMENTS,
  parseManifestText,
  readManifestFile,
} from '../../lib/check/manifests';

function tempDir(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hm-manifests-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('loadManifests', () => {
  test('reads directories recursively in name order, YAML and JSON only', () => {
    const dir = tempDir({
      'b.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: b}\n',
      'a/x.yml': 'apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: other}\n',
      'c.json': '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "c"}}',
      'notes.txt': 'not a manifest',
    });
    expect(
      loadManifests([dir], { namespace: 'team' }).map((o) => `${o.namespace}/${o.name}`),
    ).toEqual(['other/x', 'team/b', 'team/c']);
  });

  test('fails on a path that does not exist', () => {
    expect(() => loadManifests(['/nonexistent/x.yaml'])).toThrow(
      '/nonexistent/x.yaml: path does not exist or cannot be read',
    );
  });
});

describe('parseManifestText', () => {
  test('reads every document, skips empty ones, expands Lists, keeps unknown kinds for the caller to ignore', () => {
    const objects = parseManifestText(
      'f.yaml',
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: a}',
        '',
        '# only a comment',
        'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}',
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: c}',
      ].join('\n---\n'),
    );
    expect(objects.map((o) => [o.kind, o.name, o.document])).toEqual([
      ['Service', 'a', 1],
      ['ConfigMap', 'b', 4],
      ['Widget', 'c', 5],
    ]);
  });

  test('fails on invalid YAML, naming the file, document and line', () => {
    expect(() => parseManifestText('bad.yaml', 'a: 1\n---\nb: [1, 2\n')).toThrow(
      /^bad\.yaml: document 2 \(line \d+\) is not valid YAML: /,
    );
  });

  test('fails clearly on nesting too deep for the parser', () => {
    const deep = `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(() => parseManifestText('deep.yaml', deep)).toThrow(
      /^deep\.yaml: document 1( \(line 1\))? is nested too deeply to read \(the parser ran out of stack\)$/,
    );
  });

  test('fails on duplicate keys, naming the key and the line of its second occurrence', () => {
    expect(() => parseManifestText('dup.yaml', 'kind: A\nkind: B\n')).toThrow(
      'dup.yaml: document 1 (line 2) is not valid YAML: Map keys must be unique; "kind" is written twice',
    );
    expect(() =>
      parseManifestText('dup.yaml', 'a: 1\n---\nspec:\n  rules:\n  - from: []\n    from: []\n'),
    ).toThrow('dup.yaml: document 2 (line 6) is not valid YAML: Map keys must be unique; "from"');
  });

  test('refuses a YAML alias bomb', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    expect(() => parseManifestText('bomb.yaml', bomb)).toThrow(
      'bomb.yaml: document 1 expands too many aliases (more than 100); refusing a possible YAML bomb',
    );
  });

  // A hundred aliases stay under the alias count, but each repeats a large node: the readers
  // would walk every copy. The growth is counted on the parsed tree, once per node, before any
  // copy is made, so the refusal costs as much as reading the file.
  test('refuses aliases that repeat a large node (a YAML bomb under the alias count)', () => {
    const principals = Array.from({ length: 2000 }, (_, i) => `cluster.local/ns/a/sa/s${i}`);
    const bomb = [
      'apiVersion: security.istio.io/v1',
      'kind: AuthorizationPolicy',
      'metadata: {name: p, namespace: a}',
      'spec:',
      '  rules:',
      `  - from: [{source: {principals: &p ${JSON.stringify(principals)}}}]`,
      ...Array.from({ length: 99 }, () => '  - from: [{source: {principals: *p}}]'),
    ].join('\n');
    expect(() => parseManifestText('bomb.yaml', bomb)).toThrow(
      `bomb.yaml: document 1 grows by ${99 * 2000} nodes when its aliases are expanded ` +
        `(at most ${MAX_ALIAS_EXPANSION}); refusing a possible YAML bomb`,
    );
  });

  test('reads anchors that repeat small nodes, as hand-written manifests use them', () => {
    const [deployment] = parseManifestText(
      'anchors.yaml',
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: web, labels: &labels {app: web, tier: front}}',
        'spec:',
        '  selector: {matchLabels: *labels}',
        '  template: {metadata: {labels: *labels}}',
      ].join('\n'),
    );
    const spec = deployment.body.spec as { template: { metadata: { labels: unknown } } };
    expect(spec.template.metadata.labels).toEqual({ app: 'web', tier: 'front' });
  });

  // Found by the hostile-input tests: every toJS error that mentioned an alias was reported as a
  // YAML bomb, so an alias to an anchor of the previous document got that misleading message.
  test('fails on an alias whose anchor is in another document or nowhere, saying so', () => {
    expect(() => parseManifestText('f.yaml', 'a: &x 1\n---\nb: *x\n')).toThrow(
      'f.yaml: document 2 is not valid YAML: the alias *x names no anchor set before it in the ' +
        'same document (anchors do not carry over to the next document)',
    );
    expect(() => parseManifestText('f.yaml', 'b: *nope\n')).toThrow(
      'f.yaml: document 1 is not valid YAML: the alias *nope names no anchor',
    );
  });

  test('refuses an alias inside the node it names (an endless object)', () => {
    expect(() => parseManifestText('loop.yaml', 'kind: &k [1, *k]\n')).toThrow(
      'loop.yaml: document 1 has an alias inside the node it names, which would make an endless object',
    );
    expect(() =>
      parseManifestText('loop.yaml', 'apiVersion: v1\nkind: List\nitems: &i [*i]\n'),
    ).toThrow('loop.yaml: document 1 has an alias inside the node it names');
  });

  test('names a huge value in an error without repeating it whole', () => {
    const kind = JSON.stringify(Array.from({ length: 100_000 }, (_, i) => i));
    let message = '';
    try {
      parseManifestText('f.yaml', `apiVersion: v1\nkind: ${kind}\n`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      new RegExp(
        `^f\\.yaml: document 1 kind must be a non-empty string, got \\[0,1,2,.*\\.\\.\\. \\(${kind.length} characters\\)$`,
      ),
    );
    expect(message.length).toBeLessThan(1100);
  });

  // Each document costs about a kilobyte while parsed: millions of `---` lines would exhaust the
  // heap. Documents are read one at a time and counting stops at the first one over the limit.
  test('reads MAX_DOCUMENTS documents and refuses one more', () => {
    const object = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    expect(
      parseManifestText('f.yaml', `${object}${'---\n'.repeat(MAX_DOCUMENTS - 1)}`),
    ).toHaveLength(1);
    expect(() => parseManifestText('f.yaml', '---\n'.repeat(1_000_000))).toThrow(
      `f.yaml: content has more than ${MAX_DOCUMENTS} YAML documents; split it into several files`,
    );
  });

  test('fails on a document that is not an object, or has no kind or apiVersion', () => {
    expect(() => parseManifestText('f.yaml', '- a\n- b\n')).toThrow(
      'f.yaml: document 1 must be a Kubernetes object (a mapping), got ["a","b"]',
    );
    expect(() => parseManifestText('f.yaml', 'apiVersion: v1\nmetadata: {name: a}\n')).toThrow(
      'f.yaml: document 1 kind must be a non-empty string, got undefined',
    );
    expect(() => parseManifestText('f.yaml', 'kind: Service\n')).toThrow(
      'f.yaml: document 1 (Service) apiVersion must be a non-empty string, got undefined',
    );
  });
});

describe('readManifestFile', () => {
  test('refuses bytes that are not UTF-8', () => {
    const dir = tempDir({
      'latin1.yaml': Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xe9, 0x0a]),
    });
    expect(() => readManifestFile(path.join(dir, 'latin1.yaml'))).toThrow(
      /latin1\.yaml: content is not valid UTF-8 text$/,
    );
  });
});
