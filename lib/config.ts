import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import { HardenedMeshProps } from './hardened-mesh';
import { InvalidValueError, quote } from './names';
import { isPlainObject } from './props';
import { findDuplicateKey } from './yaml-keys';

/** The config file read from the working directory when `HARDENED_MESH_CONFIG` is not set. */
export const DEFAULT_CONFIG_FILE = 'hardened-mesh.yaml';

/** The environment variable that names another config file. */
export const CONFIG_ENV_VAR = 'HARDENED_MESH_CONFIG';

/** A config holds a few lines; anything this large is the wrong file, and is refused unread. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Thrown for a config file that cannot be read, parsed or used; the message names the file. */
export class ConfigError extends Error {
  constructor(
    /** The config file, as the user named it. */
    public readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ConfigError';
  }

  /** The error for a value that the chart refused, named by its config key. */
  public static fromInvalidValue(file: string, error: InvalidValueError): ConfigError {
    return new ConfigError(file, `${error.field} ${error.problem}`);
  }
}

/** A loaded config: the chart props, and the file they came from (none: all defaults). */
export interface LoadedConfig {
  readonly file?: string;
  readonly props: HardenedMeshProps;
}

type Kind =
  'boolean' | 'string' | 'integer' | 'cidrs' | 'ingress' | 'syncWaves' | 'waypoints' | 'waypoint';

const TOP_LEVEL_KEYS: Record<string, Kind> = {
  hardenedMode: 'boolean',
  rootNamespace: 'string',
  istioApp: 'string',
  waypointGatewayClass: 'string',
  ingress: 'ingress',
  trustDomain: 'string',
  autoAllowWaypointPolicy: 'boolean',
  waypoints: 'waypoints',
  syncWaves: 'syncWaves',
  dryRun: 'boolean',
};

const INGRESS_KEYS: Record<string, Kind> = {
  app: 'string',
  namespace: 'string',
  gateway: 'string',
  externalTrafficCidrs: 'cidrs',
  enrolledInAmbient: 'boolean',
};

const SYNC_WAVES_KEYS: Record<string, Kind> = {
  allow: 'integer',
  allowNothing: 'integer',
};

// A config file names waypoints by namespace only: every workload of the namespace uses it, as
// `istio.io/use-waypoint` on the namespace makes it. Narrower targets take the TypeScript API.
const WAYPOINT_KEYS: Record<string, Kind> = {
  namespace: 'string',
  waypoint: 'string',
  serviceAccount: 'string',
};

const NESTED_KEYS: Partial<Record<Kind, Record<string, Kind>>> = {
  ingress: INGRESS_KEYS,
  syncWaves: SYNC_WAVES_KEYS,
  waypoint: WAYPOINT_KEYS,
};

const EXPECTED: Record<Kind, string> = {
  boolean: 'true or false',
  string: 'a string',
  integer: 'a whole number',
  cidrs: 'a comma-separated string or a list of strings',
  ingress: `a mapping with keys ${Object.keys(INGRESS_KEYS).join(', ')}, or false`,
  syncWaves: `a mapping with keys ${Object.keys(SYNC_WAVES_KEYS).join(', ')}, or false`,
  waypoints: `a list of mappings with keys ${Object.keys(WAYPOINT_KEYS).join(', ')}`,
  waypoint: `a mapping with keys ${Object.keys(WAYPOINT_KEYS).join(', ')}`,
};

/**
 * Reads the chart props from `HARDENED_MESH_CONFIG` if it is set, else from `hardened-mesh.yaml`
 * in `cwd` if that exists, else returns the defaults.
 *
 * A relative `HARDENED_MESH_CONFIG` is resolved against the directory the user ran npm from
 * (`INIT_CWD`, which npm sets), not against the project root where npm runs the script.
 *
 * Every key is checked: an unknown key (often a typo of a known one) or a value of the wrong type
 * is an error, never ignored, so a mistake cannot silently fall back to a default.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): LoadedConfig {
  const named = env[CONFIG_ENV_VAR];
  if (named !== undefined) {
    if (named.trim() === '') {
      throw new ConfigError(CONFIG_ENV_VAR, 'is set but empty; unset it or name a YAML file');
    }
    return { file: named, props: readConfigFile(named, env.INIT_CWD ?? cwd) };
  }
  // lstat, not exists: a dangling link or an unreadable file must be an error, not "no config".
  if (!lexists(path.resolve(cwd, DEFAULT_CONFIG_FILE))) {
    const nearMiss = fs.readdirSync(cwd).find((name) => NEAR_MISS.test(name));
    if (nearMiss !== undefined) {
      throw new ConfigError(
        nearMiss,
        `is not read: the config file is named ${DEFAULT_CONFIG_FILE}; ` +
          `rename it, or name it in ${CONFIG_ENV_VAR}`,
      );
    }
    return { props: {} };
  }
  return { file: DEFAULT_CONFIG_FILE, props: readConfigFile(DEFAULT_CONFIG_FILE, cwd) };
}

/** Names a user may have given the config file by mistake (checked only when it is missing). */
const NEAR_MISS = /^hardened[-_.]?mesh\.(ya?ml|json)$/i;

function lexists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Reads and checks one config file; `file` is resolved against `cwd` and named in errors. */
export function readConfigFile(file: string, cwd: string = process.cwd()): HardenedMeshProps {
  const resolved = path.resolve(cwd, file);
  let bytes: Buffer;
  try {
    const stat = fs.statSync(resolved);
    if (!stat.isFile()) {
      throw new ConfigError(file, 'is not a regular file; name a YAML file');
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(
        file,
        `is ${stat.size} bytes; a config file is at most ${MAX_CONFIG_BYTES} bytes`,
      );
    }
    bytes = fs.readFileSync(resolved);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw error;
    }
    throw new ConfigError(file, `cannot be read: ${(error as Error).message}`);
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(file, 'is not valid UTF-8 text; save it as UTF-8');
  }
  return parseConfig(file, text);
}

/** Parses and checks config text; `file` is only used to name it in errors. */
export function parseConfig(file: string, text: string): HardenedMeshProps {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below in linear time; the parser's own check is quadratic.
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter });
  if (document.errors.length > 0) {
    const message = document.errors[0].message;
    // The parser is recursive: nesting thousands deep ends its stack, which is not a syntax error.
    throw new ConfigError(
      file,
      /Maximum call stack/.test(message)
        ? 'is nested too deeply to read (the parser ran out of stack)'
        : `is not valid YAML: ${message}`,
    );
  }
  const duplicate = findDuplicateKey(document);
  if (duplicate) {
    throw new ConfigError(
      file,
      `is not valid YAML: Map keys must be unique; ${quote(duplicate.key)} is written twice ` +
        `(line ${lineCounter.linePos(duplicate.offset).line})`,
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias bomb fails here, while the aliases are expanded.
    throw new ConfigError(file, `cannot be read: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) {
    return {};
  }
  checkMapping(file, '', data, TOP_LEVEL_KEYS);
  return data as HardenedMeshProps;
}

function checkMapping(
  file: string,
  prefix: string,
  data: unknown,
  keys: Record<string, Kind>,
): void {
  // YAML tags such as `!!omap`, `!!set` or `!!timestamp` load as Map, Set or Date objects, whose
  // entries a key-by-key check would never see: only plain mappings are mappings here.
  if (!isPlainObject(data)) {
    const where = prefix === '' ? 'the top level' : prefix.slice(0, -1);
    throw new ConfigError(file, `${where} must be a mapping of keys to values, got ${quote(data)}`);
  }
  for (const [key, value] of Object.entries(data)) {
    // Own keys only: `__proto__` or `constructor` must be unknown keys, not Object members.
    const kind = Object.hasOwn(keys, key) ? keys[key] : undefined;
    if (kind === undefined) {
      throw new ConfigError(file, unknownKeyMessage(`${prefix}${key}`, key, Object.keys(keys)));
    }
    if (!hasKind(kind, value)) {
      throw new ConfigError(
        file,
        `${prefix}${key} must be ${EXPECTED[kind]}, got ${quote(value === undefined ? null : value)}`,
      );
    }
    const nested = NESTED_KEYS[kind];
    if (nested && value !== false) {
      checkMapping(file, `${prefix}${key}.`, value, nested);
    }
    if (kind === 'waypoints') {
      (value as unknown[]).forEach((entry, index) => {
        const where = `${prefix}${key}[${index}]`;
        if (!hasKind('waypoint', entry)) {
          throw new ConfigError(file, `${where} must be ${EXPECTED.waypoint}, got ${quote(entry)}`);
        }
        checkMapping(file, `${where}.`, entry, WAYPOINT_KEYS);
      });
    }
  }
}

function hasKind(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'cidrs':
      return (
        typeof value === 'string' ||
        (Array.isArray(value) && value.every((entry) => typeof entry === 'string'))
      );
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'ingress':
    case 'syncWaves':
      return value === false || isPlainObject(value);
    case 'waypoint':
      return isPlainObject(value);
    case 'waypoints':
      return Array.isArray(value);
  }
}

function unknownKeyMessage(fullKey: string, key: string, allowed: string[]): string {
  const closest = allowed
    .map((candidate) => ({
      candidate,
      distance: editDistance(key.toLowerCase(), candidate.toLowerCase()),
    }))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint =
    closest && closest.distance <= Math.max(2, Math.floor(closest.candidate.length / 3))
      ? ` (did you mean ${quote(closest.candidate)}?)`
      : '';
  return `unknown key ${quote(fullKey)}${hint}; allowed keys here: ${allowed.join(', ')}`;
}

/** Levenshtein distance, to suggest the key a typo was meant to be. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
