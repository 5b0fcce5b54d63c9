/**
 * Reads Kubernetes manifests from files and directories: multi-document YAML (or JSON, which is
 * YAML), `List` objects expanded, empty documents skipped. Every object keeps the file and the
 * document number it came from, so a later error can point at it.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  Composer,
  Document,
  isAlias,
  isMap as isYamlMap,
  isPair,
  isSeq,
  LineCounter,
  Parser,
} from 'yaml';
import { findDuplicateKey } from '../yaml-keys';
import { quote } from '../names';
import { CheckInputError } from './errors';
import { YamlMap, isMap } from './read';

/** One Kubernetes object as read from a manifest, with where it came from. */
export interface ManifestObject {
  /** `apiVersion` of the object. */
  readonly apiVersion: string;
  /** `kind` of the object. */
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.namespace`, or the default namespace when the object has none. */
  readonly namespace: string;
  /** The whole parsed object. */
  readonly body: YamlMap;
  /** The file it was read from, as given (directories expanded). */
  readonly file: string;
  /** 1-based position of its document in the file. */
  readonly document: number;
}

/** Options of {@link loadManifests}. */
export interface LoadManifestsOptions {
  /**
   * Namespace of objects that name none, as `kubectl apply -n` would put them.
   * @default "default"
   */
  readonly namespace?: string;
}

/**
 * Aliases a document may expand. The `yaml` package's own default (100) already stops a
 * billion-laughs bomb; this keeps the bound explicit and the same across versions.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * Nodes that aliases may add to a document once expanded. The alias count alone does not bound
 * the work: a hundred aliases of one list of a million principals stay under any alias count,
 * yet every reader of the document would walk a hundred million entries. Anchors that repeat a
 * few labels or a container block stay far below this.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/**
 * The largest file the checker reads. Parsing holds about seventy times the file in memory, so
 * this keeps one file well inside Node's default heap; a 10 MB file is read in seconds. Larger
 * inputs (a whole cluster dumped as one List) can be split into several files.
 */
export const MAX_INPUT_FILE_BYTES = 32 * 1024 * 1024;

/**
 * The most YAML documents one file may hold. Each costs about a kilobyte while it is parsed, even
 * when empty, so a file of millions of `---` lines would exhaust memory; a real manifest file
 * with this many objects is better split anyway.
 */
export const MAX_DOCUMENTS = 100_000;

/** File names read when a directory is given. */
const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function listFiles(given: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(given);
  } catch {
    throw new CheckInputError(given, 'path', 'does not exist or cannot be read');
  }
  if (!stat.isDirectory()) {
    return [given];
  }
  const files: string[] = [];
  for (const entry of fs.readdirSync(given).sort()) {
    const child = path.join(given, entry);
    if (fs.statSync(child).isDirectory()) {
      files.push(...listFiles(child));
    } else if (MANIFEST_FILE.test(entry)) {
      files.push(child);
    }
  }
  return files;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a manifest or cases file whole, refusing one over {@link MAX_INPUT_FILE_BYTES} before
 * reading it. `missing` is the problem reported when it cannot be read.
 */
export function readInputFile(file: string, missing: string): Uint8Array {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new CheckInputError(file, 'path', missing);
  }
  if (size > MAX_INPUT_FILE_BYTES) {
    throw new CheckInputError(
      file,
      'path',
      `is ${size} bytes; the checker reads files of at most ${MAX_INPUT_FILE_BYTES} bytes ` +
        '(32 MiB): split it into several files',
    );
  }
  try {
    return fs.readFileSync(file);
  } catch {
    throw new CheckInputError(file, 'path', missing);
  }
}

/** Decodes `bytes` as UTF-8, refusing anything else instead of reading replacement characters. */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new CheckInputError(file, 'content', 'is not valid UTF-8 text');
  }
}

const TOO_DEEP = 'is nested too deeply to read (the parser ran out of stack)';

function yamlProblem(message: string): string {
  return /Maximum call stack/.test(message) ? TOO_DEEP : `is not valid YAML: ${message}`;
}

/** Thrown inside {@link aliasExpansion} for an alias inside the node it names. */
class CircularAlias extends Error {}

/** Thrown inside {@link aliasExpansion} for an alias whose anchor is not set before it. */
class UnresolvedAlias extends Error {}

/**
 * How many nodes the aliases of `document` add once expanded: the size of the tree with every
 * alias replaced by the node it names, minus the size as written. Each node's expanded size is
 * computed once, so the cost is linear in the written document.
 */
function aliasExpansion(document: Document): number {
  const sizes = new Map<unknown, number>();
  const pending = new Set<unknown>();
  let written = 0;
  const size = (node: unknown, viaAlias: boolean): number => {
    if (isAlias(node)) {
      written += viaAlias ? 0 : 1;
      const target = node.resolve(document);
      if (target === undefined) {
        throw new UnresolvedAlias(node.source);
      }
      return size(target, true);
    }
    const known = sizes.get(node);
    if (known !== undefined) {
      return known;
    }
    if (pending.has(node)) {
      throw new CircularAlias();
    }
    pending.add(node);
    let total = 1;
    if (isYamlMap(node) || isSeq(node)) {
      for (const item of node.items) {
        total += isPair(item)
          ? size(item.key, viaAlias) + size(item.value, viaAlias)
          : size(item, viaAlias);
      }
    }
    pending.delete(node);
    // Nodes reached only through an alias were written once, when their anchor was.
    written += viaAlias ? 0 : 1;
    sizes.set(node, total);
    return total;
  };
  return size(document.contents, false) - written;
}

/**
 * Parses every YAML document of `text`; returns the plain values, `null` for empty documents.
 * Syntax errors, duplicate keys and alias bombs become a {@link CheckInputError} naming the file
 * and line.
 */
export function parseYamlDocuments(file: string, text: string): unknown[] {
  const lineCounter = new LineCounter();
  // readDocument finds duplicate keys in linear time; the parser's own check is quadratic.
  const composer = new Composer({ uniqueKeys: false });
  const values: unknown[] = [];
  // Documents are composed and read one at a time, so only one syntax tree is held at once.
  let count = 0;
  try {
    for (const document of composer.compose(new Parser(lineCounter.addNewLine).parse(text))) {
      count++;
      if (count > MAX_DOCUMENTS) {
        throw new CheckInputError(
          file,
          'content',
          `has more than ${MAX_DOCUMENTS} YAML documents; split it into several files`,
        );
      }
      values.push(readDocument(file, `document ${count}`, document, lineCounter));
    }
  } catch (error) {
    if (error instanceof CheckInputError) {
      throw error;
    }
    throw new CheckInputError(file, `document ${count + 1}`, yamlProblem(String(error)));
  }
  return values;
}

/** The plain value of one parsed document, or a {@link CheckInputError} saying why not. */
function readDocument(
  file: string,
  where: string,
  document: Document.Parsed,
  lineCounter: LineCounter,
): unknown {
  const problem = document.errors[0];
  if (problem) {
    throw new CheckInputError(
      file,
      `${where} (line ${lineCounter.linePos(problem.pos[0]).line})`,
      yamlProblem(problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')),
    );
  }
  const duplicate = findDuplicateKey(document);
  if (duplicate) {
    throw new CheckInputError(
      file,
      `${where} (line ${lineCounter.linePos(duplicate.offset).line})`,
      `is not valid YAML: Map keys must be unique; ${quote(duplicate.key)} is written twice`,
    );
  }
  let added: number;
  try {
    added = aliasExpansion(document);
  } catch (error) {
    if (error instanceof UnresolvedAlias) {
      throw new CheckInputError(
        file,
        where,
        `is not valid YAML: the alias *${error.message} names no anchor set before it in the ` +
          'same document (anchors do not carry over to the next document)',
      );
    }
    if (!(error instanceof CircularAlias || error instanceof RangeError)) {
      throw error;
    }
    throw new CheckInputError(
      file,
      where,
      error instanceof CircularAlias
        ? 'has an alias inside the node it names, which would make an endless object'
        : TOO_DEEP,
    );
  }
  if (added > MAX_ALIAS_EXPANSION) {
    throw new CheckInputError(
      file,
      where,
      `grows by ${added} nodes when its aliases are expanded (at most ${MAX_ALIAS_EXPANSION}); ` +
        'refusing a possible YAML bomb',
    );
  }
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CheckInputError(
      file,
      where,
      /Excessive alias count/.test(message)
        ? `expands too many aliases (more than ${MAX_ALIAS_COUNT}); refusing a possible YAML bomb`
        : /Maximum call stack/.test(message)
          ? TOO_DEEP
          : `cannot be read: ${message}`,
    );
  }
}

function toObject(
  file: string,
  document: number,
  value: unknown,
  defaultNamespace: string,
  field: string,
): ManifestObject {
  const where = `document ${document}${field}`;
  if (!isMap(value)) {
    throw new CheckInputError(
      file,
      where,
      `must be a Kubernetes object (a mapping), got ${quote(value)}`,
    );
  }
  const { apiVersion, kind } = value;
  if (typeof kind !== 'string' || kind === '') {
    throw new CheckInputError(
      file,
      `${where} kind`,
      `must be a non-empty string, got ${quote(kind)}`,
    );
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    throw new CheckInputError(
      file,
      `${where} (${kind}) apiVersion`,
      `must be a non-empty string, got ${quote(apiVersion)}`,
    );
  }
  const metadata = isMap(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace !== ''
      ? metadata.namespace
      : defaultNamespace;
  return { apiVersion, kind, name, namespace, body: value, file, document };
}

/** Reads the objects of one file. */
export function readManifestFile(file: string, defaultNamespace = 'default'): ManifestObject[] {
  const bytes = readInputFile(file, 'cannot be read');
  return parseManifestText(file, decodeUtf8(file, bytes), defaultNamespace);
}

/** Reads the objects of manifest text; `file` only names it in errors. */
export function parseManifestText(
  file: string,
  text: string,
  defaultNamespace = 'default',
): ManifestObject[] {
  const objects: ManifestObject[] = [];
  parseYamlDocuments(file, text).forEach((value, index) => {
    if (value === null || value === undefined) {
      return;
    }
    if (isMap(value) && value.kind === 'List' && Array.isArray(value.items)) {
      value.items.forEach((item, itemIndex) =>
        objects.push(toObject(file, index + 1, item, defaultNamespace, ` items[${itemIndex}]`)),
      );
      return;
    }
    objects.push(toObject(file, index + 1, value, defaultNamespace, ''));
  });
  return objects;
}

/**
 * Reads every manifest under `paths` (files, or directories read recursively in name order for
 * `.yaml`, `.yml` and `.json` files). Kinds are not interpreted here.
 */
export function loadManifests(
  paths: readonly string[],
  options: LoadManifestsOptions = {},
): ManifestObject[] {
  const namespace = options.namespace ?? 'default';
  return paths
    .flatMap((given) => listFiles(given))
    .flatMap((file) => readManifestFile(file, namespace));
}
