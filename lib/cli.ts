/**
 * The `hardened-mesh` command line: `check` runs a cases file against manifests, `report` writes
 * the reachability matrix. Exit codes: 0 success (every case passes), 1 a case fails, 2 bad input
 * or bad usage, with a message naming the file and the field.
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { CaseResult, readCasesFile, runCases } from './check/cases';
import { CheckInputError } from './check/errors';
import { loadManifests } from './check/manifests';
import { Mesh } from './check/mesh';
import { buildMatrix, renderHtml, renderMarkdown } from './check/report';
import { validateNamespace, InvalidValueError, printable } from './names';
import { validateTrustDomain } from './principals';

/** Where the CLI writes; the process streams by default. */
export interface CliIo {
  /** Receives results. */
  readonly stdout: (text: string) => void;
  /** Receives errors and usage. */
  readonly stderr: (text: string) => void;
}

/** Exit code: every case passed (check) or the report was written. */
export const EXIT_OK = 0;
/** Exit code: at least one case got another decision than it expects. */
export const EXIT_FAILED = 1;
/** Exit code: bad input or bad usage. */
export const EXIT_BAD_INPUT = 2;

const USAGE = `usage:
  hardened-mesh check <paths...> --cases <file> [--namespace <ns>] [--format text|json]
  hardened-mesh report <paths...> [--namespace <ns>] (--out <file.html> | --format md [--out <file.md>])
                       [--root-namespace <ns>] [--trust-domain <td>] [--auto-allow-waypoint-policy]

  <paths...>   manifest files or directories (multi-document YAML; unknown kinds are ignored)
  --namespace  namespace of objects and cases that name none (default "default")
  --root-namespace, --trust-domain, --auto-allow-waypoint-policy
               the istiod settings the report assumes (the cases file has them in its mesh: block)
exit codes: 0 all cases pass / report written, 1 a case fails, 2 bad input or usage,
            3 an internal error of the checker
`;

class UsageError extends Error {}

/**
 * One case as one terminal line. Case, policy and object names come from user files unchecked:
 * control characters (ANSI escapes) and line breaks are shown as `\uXXXX`, never sent raw.
 */
function textLine(result: CaseResult): string {
  const status = result.pass ? 'PASS' : 'FAIL';
  const by = result.enforcedBy ? ` by ${result.enforcedBy}` : '';
  const policy = result.policy ? `, policy ${result.policy}` : ', no deciding policy';
  const line = `${status} ${result.name}: ${result.decision}${by}${policy} (expected ${result.expected}) - ${result.reason}`;
  return printable(line).replace(/\n/g, '\\u000a');
}

/** Runs a validator on a command-line value, turning its error into a usage error (exit 2). */
function option<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InvalidValueError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

function namespaceOption(value: string | undefined): string {
  return option(() => validateNamespace('--namespace', value ?? 'default'));
}

function runCheck(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      cases: { type: 'string' },
      namespace: { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
  });
  if (positionals.length === 0) {
    throw new UsageError('check needs at least one manifest file or directory');
  }
  if (!values.cases) {
    throw new UsageError('check needs --cases <file>');
  }
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UsageError(`--format is "${values.format}"; use text or json`);
  }
  const namespace = namespaceOption(values.namespace);
  const cases = readCasesFile(values.cases);
  const mesh = Mesh.fromManifests(loadManifests(positionals, { namespace }), cases.mesh);
  const report = runCases(mesh, cases, namespace);

  if (values.format === 'json') {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = report.results.map(textLine);
    lines.push(`${report.summary.passed} passed, ${report.summary.failed} failed`);
    io.stdout(`${lines.join('\n')}\n`);
  }
  return report.summary.failed === 0 ? EXIT_OK : EXIT_FAILED;
}

function runReport(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      namespace: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'html' },
      'root-namespace': { type: 'string' },
      'trust-domain': { type: 'string' },
      'auto-allow-waypoint-policy': { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) {
    throw new UsageError('report needs at least one manifest file or directory');
  }
  if (values.format !== 'html' && values.format !== 'md') {
    throw new UsageError(`--format is "${values.format}"; use html or md`);
  }
  if (values.format === 'html' && values.out?.endsWith('.md')) {
    throw new UsageError(
      `--out ${values.out} names a Markdown file: add --format md, or name a .html file`,
    );
  }
  if (values.format === 'html' && !values.out) {
    throw new UsageError('report needs --out <file.html> (or --format md to print Markdown)');
  }
  const namespace = namespaceOption(values.namespace);
  const rootNamespace = option(() =>
    values['root-namespace'] === undefined
      ? undefined
      : validateNamespace('--root-namespace', values['root-namespace']),
  );
  const trustDomain = option(() =>
    values['trust-domain'] === undefined
      ? undefined
      : validateTrustDomain('--trust-domain', values['trust-domain']),
  );
  const mesh = Mesh.fromManifests(loadManifests(positionals, { namespace }), {
    rootNamespace,
    trustDomain,
    autoAllowWaypointPolicy: values['auto-allow-waypoint-policy'],
  });
  const matrix = buildMatrix(mesh);
  const text = values.format === 'md' ? renderMarkdown(matrix) : renderHtml(matrix);
  if (values.out) {
    try {
      fs.writeFileSync(values.out, text);
    } catch (error) {
      throw new UsageError(`cannot write --out ${values.out}: ${(error as Error).message}`);
    }
    io.stderr(
      `wrote ${values.out}: ${matrix.rows.length} workloads x ${matrix.columns.length} service ports\n`,
    );
  } else {
    io.stdout(text);
  }
  return EXIT_OK;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Never exits the
 * process itself, so tests and other tools can call it.
 */
export function runCli(
  argv: readonly string[],
  io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): number {
  const [command, ...rest] = argv;
  // `hardened-mesh check --help` asks for help, not for a check.
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  try {
    switch (command) {
      case 'check':
        return runCheck(rest, io);
      case 'report':
        return runReport(rest, io);
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
    }
  } catch (error) {
    if (error instanceof CheckInputError) {
      io.stderr(`hardened-mesh: ${printable(error.message)}\n`);
      return EXIT_BAD_INPUT;
    }
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr(`hardened-mesh: ${printable((error as Error).message)}\n${USAGE}`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}
