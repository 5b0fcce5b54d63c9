/**
 * The cases file: an optional `mesh:` block with istiod's settings and a list of `cases:`, each a
 * request with the decision it must get. Reading is strict: an unknown key, a wrong type or a
 * case naming a workload, Service or gateway that is not in the manifests is bad input, never a
 * silent allow or deny.
 */
import { HTTP_METHOD } from '../allow-policy-check';
import { InvalidValueError, quote, validateNamespace } from '../names';
import { validateTrustDomain } from '../principals';
import { CheckInputError } from './errors';
import { Decision, DecisionInput, RequestSpec, SourceSpec, TargetSpec, decide } from './decide';
import { decodeUtf8, parseYamlDocuments, readInputFile } from './manifests';
import { Mesh, MeshOptions } from './mesh';
import { normalizeRequestPath } from './request-path';
import { YamlMap, isMap, readList, readMap, readString, rejectUnknownKeys } from './read';

/** One case of a cases file. */
export interface CheckCase extends DecisionInput {
  /** Its name, unique in the file. */
  readonly name: string;
  /** The decision it must get. */
  readonly expect: 'allow' | 'deny';
}

/** A cases file, read. */
export interface CasesFile {
  /** The file name, for messages. */
  readonly file: string;
  /** istiod settings (rootNamespace, trustDomain, autoAllowWaypointPolicy). */
  readonly mesh: MeshOptions;
  /** The cases, in file order. */
  readonly cases: readonly CheckCase[];
}

/** The result of one case, as `hardened-mesh check --format json` prints it. */
export interface CaseResult {
  /** The case's name. */
  readonly name: string;
  /** What the mesh decides. */
  readonly decision: 'allow' | 'deny';
  /** The point that denied, or null when allowed. */
  readonly enforcedBy: Decision['enforcedBy'];
  /** `<ns>/<name>` of the deciding policy, or null. */
  readonly policy: string | null;
  /** Why. */
  readonly reason: string;
  /** The decision the case expects. */
  readonly expected: 'allow' | 'deny';
  /** Whether decision and expectation agree. */
  readonly pass: boolean;
}

/** Results of a whole cases file. */
export interface CasesReport {
  /** One result per case, in file order. */
  readonly results: readonly CaseResult[];
  /** Counts. */
  readonly summary: { readonly passed: number; readonly failed: number };
}

function readInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidValueError(
      field,
      `must be a whole number from ${min} to ${max}, got ${quote(value)}`,
    );
  }
  return value;
}

function readOptional(field: string, map: YamlMap, key: string): string | undefined {
  return map[key] === undefined ? undefined : readString(`${field}.${key}`, map[key]);
}

const SOURCE_FORMS: readonly (readonly [string, readonly string[]])[] = [
  ['workload', ['workload', 'namespace', 'ip']],
  ['serviceAccount', ['serviceAccount', 'namespace', 'ip']],
  ['external', ['external']],
  ['ip', ['ip']],
];
const SOURCE_KEYS = new Set(SOURCE_FORMS.flatMap(([, keys]) => keys));
const SOURCE_FORM_LIST =
  '{workload, namespace, ip}, {serviceAccount, namespace, ip}, {ip} or {external}';

function readSource(field: string, raw: unknown): SourceSpec {
  const from = readMap(field, raw);
  const form = SOURCE_FORMS.find(([key]) => from[key] !== undefined);
  if (!form) {
    throw new InvalidValueError(
      field,
      `must name a source: {workload, namespace}, {serviceAccount, namespace}, {ip} or {external: <ip>}, got ${quote(from)}`,
    );
  }
  const [formKey, allowed] = form;
  // A key of another form (ip next to external) is a mix of forms, not a typo: say so.
  const mixed = Object.keys(from).find((key) => !allowed.includes(key) && SOURCE_KEYS.has(key));
  if (mixed !== undefined) {
    throw new InvalidValueError(
      field,
      `takes exactly one of the forms ${SOURCE_FORM_LIST}; ${quote(mixed)} does not go with ` +
        `${quote(formKey)}, got ${quote(from)}`,
    );
  }
  rejectUnknownKeys(field, from, allowed);
  const result: Record<string, string> = {};
  for (const name of allowed) {
    const value = readOptional(field, from, name);
    if (value !== undefined) {
      result[name] = value;
    }
  }
  return result as unknown as SourceSpec;
}

function readTarget(field: string, raw: unknown): TargetSpec {
  const to = readMap(field, raw);
  for (const key of ['service', 'workload', 'gateway']) {
    if (to[key] !== undefined) {
      rejectUnknownKeys(field, to, [key, 'namespace', 'port']);
      const target: Record<string, string | number> = {
        [key]: readString(`${field}.${key}`, to[key]),
        port: readInteger(`${field}.port`, to.port, 1, 65535),
      };
      const namespace = readOptional(field, to, 'namespace');
      if (namespace !== undefined) {
        target.namespace = namespace;
      }
      return target as unknown as TargetSpec;
    }
  }
  throw new InvalidValueError(
    field,
    `must name a destination: {service, namespace, port}, {workload, namespace, port} or {gateway, namespace, port}, got ${quote(to)}`,
  );
}

function readRequest(field: string, raw: unknown): RequestSpec | undefined {
  if (raw === undefined) {
    return undefined;
  }
  const request = readMap(field, raw);
  rejectUnknownKeys(field, request, ['method', 'path', 'host', 'headers']);
  const headers: Record<string, string> = {};
  if (request.headers !== undefined) {
    for (const [name, value] of Object.entries(readMap(`${field}.headers`, request.headers))) {
      headers[name] = readString(`${field}.headers.${name}`, value);
    }
  }
  const rawPath = readOptional(field, request, 'path');
  const path = rawPath === undefined ? undefined : normalizeRequestPath(`${field}.path`, rawPath);
  const method = readOptional(field, request, 'method');
  // Istio's normalization page: Envoy answers a method that is not an upper-case token with 400,
  // so no policy ever sees it; a verdict for it would describe a request that never arrives.
  if (method !== undefined && !HTTP_METHOD.test(method)) {
    throw new InvalidValueError(
      `${field}.method`,
      `is ${quote(method)}; Envoy refuses a method that is not upper case (HTTP 400) before any ` +
        'policy sees it: write it as clients send it, such as "GET"',
    );
  }
  return {
    method,
    path,
    host: readOptional(field, request, 'host'),
    headers,
  };
}

function readMeshBlock(raw: unknown): MeshOptions {
  if (raw === undefined) {
    return {};
  }
  const mesh = readMap('mesh', raw);
  rejectUnknownKeys('mesh', mesh, ['rootNamespace', 'trustDomain', 'autoAllowWaypointPolicy']);
  if (
    mesh.autoAllowWaypointPolicy !== undefined &&
    typeof mesh.autoAllowWaypointPolicy !== 'boolean'
  ) {
    throw new InvalidValueError(
      'mesh.autoAllowWaypointPolicy',
      `must be true or false, got ${quote(mesh.autoAllowWaypointPolicy)}`,
    );
  }
  return {
    rootNamespace:
      mesh.rootNamespace === undefined
        ? undefined
        : validateNamespace('mesh.rootNamespace', mesh.rootNamespace),
    trustDomain:
      mesh.trustDomain === undefined
        ? undefined
        : validateTrustDomain('mesh.trustDomain', mesh.trustDomain),
    autoAllowWaypointPolicy: mesh.autoAllowWaypointPolicy as boolean | undefined,
  };
}

/** Reads cases from YAML text; `file` only names it in errors. */
export function parseCases(file: string, text: string): CasesFile {
  try {
    const documents = parseYamlDocuments(file, text).filter((d) => d !== null && d !== undefined);
    if (documents.length !== 1 || !isMap(documents[0])) {
      throw new InvalidValueError(
        'content',
        'must be one YAML mapping with `cases:` (and optionally `mesh:`)',
      );
    }
    const root = documents[0];
    rejectUnknownKeys('', root, ['mesh', 'cases']);
    const mesh = readMeshBlock(root.mesh);
    const list = readList('cases', root.cases);
    if (list.length === 0) {
      throw new InvalidValueError('cases', 'must list at least one case');
    }
    const names = new Set<string>();
    const cases = list.map((raw, index): CheckCase => {
      const field = `cases[${index}]`;
      const item = readMap(field, raw);
      rejectUnknownKeys(field, item, ['name', 'from', 'to', 'request', 'expect']);
      const name = readString(`${field}.name`, item.name);
      if (names.has(name)) {
        throw new InvalidValueError(
          `${field}.name`,
          `repeats ${quote(name)}; case names must be unique`,
        );
      }
      names.add(name);
      const expect = readString(`${field}.expect`, item.expect);
      if (expect !== 'allow' && expect !== 'deny') {
        throw new InvalidValueError(`${field}.expect`, `is ${quote(expect)}; write allow or deny`);
      }
      return {
        name,
        from: readSource(`${field}.from`, item.from),
        to: readTarget(`${field}.to`, item.to),
        request: readRequest(`${field}.request`, item.request),
        expect,
      };
    });
    return { file, mesh, cases };
  } catch (error) {
    if (error instanceof InvalidValueError) {
      throw CheckInputError.fromInvalidValue(file, error);
    }
    throw error;
  }
}

/** Reads a cases file from disk. */
export function readCasesFile(file: string): CasesFile {
  const bytes = readInputFile(file, 'does not exist or cannot be read');
  return parseCases(file, decodeUtf8(file, bytes));
}

/**
 * Decides every case against `mesh` and compares with its expectation. A case naming something
 * the mesh lacks throws a {@link CheckInputError} naming the case's field.
 */
export function runCases(mesh: Mesh, cases: CasesFile, defaultNamespace = 'default'): CasesReport {
  const results = cases.cases.map((item, index): CaseResult => {
    let decision: Decision;
    try {
      decision = decide(mesh, item, defaultNamespace);
    } catch (error) {
      if (error instanceof InvalidValueError) {
        throw CheckInputError.fromInvalidValue(
          cases.file,
          error,
          `cases[${index}] (${quote(item.name)}).`,
        );
      }
      throw error;
    }
    return {
      name: item.name,
      decision: decision.decision,
      enforcedBy: decision.enforcedBy,
      policy: decision.policy,
      reason: decision.reason,
      expected: item.expect,
      pass: decision.decision === item.expect,
    };
  });
  const passed = results.filter((result) => result.pass).length;
  return { results, summary: { passed, failed: results.length - passed } };
}
