// Reading manifests: files and directories, multi-document YAML, hostile input.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadManifests, parseManifestText, readManifestFile } from '../../lib/check/manifests';

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

  test('fails on duplicate keys', () => {
    expect(() => parseManifestText('dup.yaml', 'kind: A\nkind: B\n')).toThrow(
      /^dup\.yaml: document 1 \(line 2\) is not valid YAML: Map keys must be unique/,
    );
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
