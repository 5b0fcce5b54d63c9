import * as fs from 'fs';
import * as path from 'path';
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

/**
 * Validates Kubernetes objects against the official CRDs in `../shared/crds/`, as the API server
 * would: the OpenAPI schema of the served version (with ajv), then every `x-kubernetes-validations`
 * CEL rule at the place it is declared (with @bufbuild/cel).
 *
 * Stricter than the API server in one respect: a field the schema does not declare is an error
 * here, where the API server would silently prune it, because such a field is always a typo in
 * generated output.
 */

/** Where the shared CRD files sit: beside this project's checkout. */
export const CRD_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'crds');

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [keyword: string]: unknown;
}

interface CompiledRule {
  rule: string;
  message: string;
  evaluate: (self: unknown) => unknown;
}

interface VersionValidator {
  schema: JsonSchema;
  validate: ValidateFunction;
}

const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
];

/** Validates objects of every kind defined by the CRD files it was given. */
export class CrdValidator {
  private readonly versions = new Map<string, VersionValidator>();
  private readonly rules = new Map<string, CompiledRule>();
  private readonly env = celEnv();

  /** Loads every CRD file of `dir`. */
  public static fromDirectory(dir: string = CRD_DIR): CrdValidator {
    if (!fs.existsSync(dir)) {
      throw new Error(
        `the official CRDs are missing: ${dir} does not exist; the tests read them from ` +
          'the shared/ folder beside this checkout (../shared/crds)',
      );
    }
    const files = fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => path.join(dir, file));
    return new CrdValidator(files);
  }

  constructor(files: readonly string[]) {
    const ajv = new Ajv({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
    });
    addFormats(ajv);
    ajv.addVocabulary(KUBERNETES_KEYWORDS);

    for (const file of files) {
      for (const document of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const crd = document.toJS();
        if (crd?.kind !== 'CustomResourceDefinition') {
          continue;
        }
        for (const version of crd.spec.versions) {
          const schema = version.schema.openAPIV3Schema as JsonSchema;
          const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
          const withRoot = withObjectMeta(schema);
          this.versions.set(key, { schema, validate: ajv.compile(closeObjects(withRoot)) });
        }
      }
    }
  }

  /** The `group/version/kind` keys this validator knows. */
  public get kinds(): string[] {
    return [...this.versions.keys()].sort();
  }

  /**
   * Returns the problems of `object` (empty when it is valid), each naming the field's path.
   * An object whose apiVersion and kind no CRD defines is itself a problem.
   */
  public problems(object: Record<string, unknown>): string[] {
    const key = `${object.apiVersion}/${object.kind}`;
    const version = this.versions.get(key);
    if (!version) {
      return [`no CRD defines ${key}; known: ${this.kinds.join(', ')}`];
    }
    const problems: string[] = [];
    if (!version.validate(object)) {
      for (const error of version.validate.errors ?? []) {
        const where = error.instancePath || '/';
        const extra =
          error.keyword === 'additionalProperties'
            ? ` (${JSON.stringify(error.params.additionalProperty)})`
            : '';
        problems.push(`${where}: ${error.message}${extra}`);
      }
    }
    this.checkRules(version.schema, object, '', problems);
    return problems;
  }

  /** Throws an error listing every problem of `object`. */
  public assertValid(object: Record<string, unknown>): void {
    const problems = this.problems(object);
    if (problems.length > 0) {
      const metadata = object.metadata as { name?: string } | undefined;
      throw new Error(
        `${object.kind} ${metadata?.name ?? '(unnamed)'} is invalid:\n  ${problems.join('\n  ')}`,
      );
    }
  }

  private checkRules(schema: JsonSchema, value: unknown, where: string, problems: string[]): void {
    if (value === undefined || value === null) {
      return;
    }
    for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
      // Transition rules compare with the stored object; a create has none.
      if (/\boldSelf\b/.test(rule)) {
        continue;
      }
      const result = this.compile(rule, message).evaluate(toCel(schema, value));
      if (isCelError(result)) {
        problems.push(
          `${where || '/'}: CEL rule ${JSON.stringify(rule)} failed to run: ${result.message}`,
        );
      } else if (result !== true) {
        problems.push(`${where || '/'}: ${message ?? `failed CEL rule ${rule}`}`);
      }
    }
    if (Array.isArray(value) && schema.items) {
      value.forEach((item, index) =>
        this.checkRules(schema.items!, item, `${where}/${index}`, problems),
      );
    } else if (typeof value === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const childSchema =
          schema.properties?.[key] ??
          (typeof schema.additionalProperties === 'object'
            ? schema.additionalProperties
            : undefined);
        if (childSchema) {
          this.checkRules(childSchema, child, `${where}/${key}`, problems);
        }
      }
    }
  }

  private compile(rule: string, message: string | undefined): CompiledRule {
    let compiled = this.rules.get(rule);
    if (!compiled) {
      const run = plan(this.env, parse(rule));
      compiled = {
        rule,
        message: message ?? rule,
        evaluate: (self) => run({ self } as never),
      };
      this.rules.set(rule, compiled);
    }
    return compiled;
  }
}

/** The fields every Kubernetes object has, which a CRD schema may leave implicit. */
const OBJECT_META: Record<string, JsonSchema> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: {
    type: 'object',
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        maxLength: 253,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      },
      namespace: { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
};

function withObjectMeta(schema: JsonSchema): JsonSchema {
  return { ...schema, properties: { ...OBJECT_META, ...schema.properties } };
}

/**
 * A copy of `schema` in which objects with declared properties refuse undeclared ones, unless the
 * schema keeps unknown fields on purpose.
 */
function closeObjects(schema: JsonSchema): JsonSchema {
  const copy: JsonSchema = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).map(([key, child]) => [key, closeObjects(child)]),
    );
    if (copy.additionalProperties === undefined && !copy['x-kubernetes-preserve-unknown-fields']) {
      copy.additionalProperties = false;
    }
  }
  if (copy.items) {
    copy.items = closeObjects(copy.items);
  }
  if (typeof copy.additionalProperties === 'object') {
    copy.additionalProperties = closeObjects(copy.additionalProperties);
  }
  return copy;
}

/** Converts JSON to the CEL values Kubernetes binds: objects as maps, integers as int. */
function toCel(schema: JsonSchema | undefined, value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => toCel(schema?.items, item));
  }
  if (value !== null && typeof value === 'object') {
    return new Map(
      Object.entries(value).map(([key, child]) => {
        const childSchema =
          schema?.properties?.[key] ??
          (typeof schema?.additionalProperties === 'object'
            ? schema.additionalProperties
            : undefined);
        return [key, toCel(childSchema, child)];
      }),
    );
  }
  if (typeof value === 'number' && schema?.type === 'integer') {
    return BigInt(value);
  }
  return value;
}
