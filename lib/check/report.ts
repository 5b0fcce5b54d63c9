/**
 * The reachability matrix of a mesh: every mesh workload (rows; ingress gateways included, as the
 * sources they are) against every Service port (columns), each cell the decision on a default
 * request (`GET /`). Rendered as a self-contained HTML page or as Markdown for a pull request.
 */
import { InvalidValueError, printable, quote } from '../names';
import { Decision, decideFromWorkload } from './decide';
import { CheckInputError } from './errors';
import { Mesh, MeshService, Workload } from './mesh';

/** One row: a source workload. */
export interface MatrixRow {
  /** `Kind ns/name`. */
  readonly label: string;
  /** The workload. */
  readonly workload: Workload;
}

/** One column: a port of a Service. */
export interface MatrixColumn {
  /** `ns/name:port`. */
  readonly label: string;
  /** The Service. */
  readonly service: MeshService;
  /** The Service port. */
  readonly port: number;
}

/** The reachability matrix. */
export interface Matrix {
  /** Source workloads, sorted. */
  readonly rows: readonly MatrixRow[];
  /** Service ports, sorted. */
  readonly columns: readonly MatrixColumn[];
  /** `cells[row][column]`, or null where the Service selects no workload. */
  readonly cells: readonly (readonly (Decision | null)[])[];
}

/**
 * Decides every mesh workload (those ztunnel captures, and ingress gateways) against every
 * Service port.
 */
export function buildMatrix(mesh: Mesh): Matrix {
  const rows: MatrixRow[] = [
    ...mesh.workloads.filter((w) => w.ambient),
    ...mesh.ingressGateways.map((g) => g.workload),
  ]
    .sort((a, b) =>
      compare(`${a.namespace}/${a.name}/${a.kind}`, `${b.namespace}/${b.name}/${b.kind}`),
    )
    .map((workload) => ({
      label: `${workload.kind} ${workload.namespace}/${workload.name}`,
      workload,
    }));
  const columns: MatrixColumn[] = mesh.services.flatMap((service) =>
    service.ports.map((p) => ({
      label: `${service.namespace}/${service.name}:${p.port}`,
      service,
      port: p.port,
    })),
  );
  const cells = rows.map((row) =>
    columns.map((column) => {
      if (mesh.backends(column.service).length === 0) {
        return null;
      }
      try {
        return decideFromWorkload(mesh, row.workload, column.service, column.port);
      } catch (error) {
        if (error instanceof InvalidValueError) {
          // Only a Service port naming a container port its backend lacks gets here.
          throw new CheckInputError(
            column.service.file,
            `Service ${quote(`${column.service.namespace}/${column.service.name}`)} spec.ports`,
            error.message.replace(/^to\.port /, 'port '),
          );
        }
        throw error;
      }
    }),
  );
  return { rows, columns, cells };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The hover text of a cell: the decision, the deciding policy and the reason. */
export function cellSummary(decision: Decision): string {
  const by = decision.enforcedBy ? ` by ${decision.enforcedBy}` : '';
  return `${decision.decision}${by}; policy: ${decision.policy ?? '(none)'}; ${decision.reason}`;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.3rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border: 1px solid #b8b8b8; padding: 0.3rem 0.5rem; }
th.col { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
th.row { text-align: left; white-space: nowrap; }
td.cell { position: relative; text-align: center; min-width: 2.2rem; cursor: default; }
td.allow { background: rgb(46, 160, 67); color: #fff; }
td.deny { background: rgb(207, 34, 46); color: #fff; }
td.none { background: rgb(220, 220, 220); color: #555; }
td.cell .tip { visibility: hidden; position: absolute; z-index: 1; left: 50%; top: 100%;
  width: 28rem; padding: 0.4rem 0.6rem; background: #1b1b1b; color: #fff; text-align: left;
  border-radius: 4px; font-size: 0.8rem; white-space: normal; }
td.cell:hover .tip, td.cell:focus .tip { visibility: visible; }
.legend span { display: inline-block; padding: 0.1rem 0.5rem; margin-right: 0.5rem; color: #fff; }
`;

/** Renders the matrix as one HTML page with inline style and no script or external resource. */
export function renderHtml(matrix: Matrix, title = 'Mesh reachability'): string {
  const head = matrix.columns
    .map((column) => `<th class="col" scope="col">${escapeHtml(column.label)}</th>`)
    .join('');
  const body = matrix.rows
    .map((row, r) => {
      const cells = matrix.columns
        .map((column, c) => {
          const decision = matrix.cells[r][c];
          const data = `data-from="${escapeHtml(row.label)}" data-to="${escapeHtml(column.label)}"`;
          if (!decision) {
            return `<td class="cell none" ${data} data-decision="none" title="no workload behind this Service">–</td>`;
          }
          const summary = escapeHtml(cellSummary(decision));
          const mark = decision.decision === 'allow' ? '✓' : '✗';
          return (
            `<td class="cell ${decision.decision}" tabindex="0" ${data} ` +
            `data-decision="${decision.decision}" data-policy="${escapeHtml(decision.policy ?? '')}" ` +
            `title="${summary}">${mark}<span class="tip">${summary}</span></td>`
          );
        })
        .join('');
      return `<tr><th class="row" scope="row">${escapeHtml(row.label)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="legend"><span style="background: rgb(46, 160, 67)">✓ allow</span><span style="background: rgb(207, 34, 46)">✗ deny</span>
Rows: mesh workloads (sources). Columns: Service ports (destinations). Hover a cell for the deciding policy.</p>
<table id="matrix">
<thead><tr><th>from \\ to</th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

const MARKDOWN_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

/**
 * Makes `text` one inert GitHub-flavoured Markdown table cell: control characters and line breaks
 * become visible `\uXXXX` escapes (a line break would end the row), `&`, `<` and `>` become
 * entities (no raw HTML), and `\`, `|`, backtick, `*`, `_`, `~`, `[` and `]` are backslash-escaped
 * (no cell split, code span, emphasis or link). Names in manifests are not validated, so a name
 * can hold any of them.
 */
function escapeMarkdownCell(text: string): string {
  return printable(text)
    .replace(/[\n\t]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[&<>]/g, (char) => MARKDOWN_ENTITIES[char])
    .replace(/[\\|`*_~[\]]/g, '\\$&');
}

/** Renders the matrix as a Markdown table: `allow` or `**deny**`, with the deciding policy. */
export function renderMarkdown(matrix: Matrix): string {
  const header = `| from \\ to | ${matrix.columns.map((c) => escapeMarkdownCell(c.label)).join(' | ')} |`;
  const rule = `| --- | ${matrix.columns.map(() => '---').join(' | ')} |`;
  const rows = matrix.rows.map((row, r) => {
    const cells = matrix.cells[r].map((decision) => {
      if (!decision) {
        return '–';
      }
      const policy = decision.policy ? ` (${escapeMarkdownCell(decision.policy)})` : '';
      return decision.decision === 'allow' ? `allow${policy}` : `**deny**${policy}`;
    });
    return `| ${escapeMarkdownCell(row.label)} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n') + '\n';
}
