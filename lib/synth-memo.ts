import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';

/**
 * `App.synth()` and `App.synthYaml()` of cdk8s validate the whole app once, then again for every
 * chart they render (`Chart.toJson()` resolves dependencies and validates the app before
 * rendering the chart; cdk8s-team/cdk8s-core#1658): C + 1 times for an app of C charts. Every
 * pass walks every construct, and the final-JSON check of each ALLOW policy and the unique-name
 * check read the whole app, so a synth was quadratic: 10,000 policies in 101 charts took 39 s.
 *
 * For an app holding this library's constructs, during one such call:
 * - each validation registered with {@link oncePerSynth} is computed once and its result reused;
 * - a chart whose class keeps cdk8s's `toJson()` renders its objects without the repeated passes,
 *   exactly as `Chart.toJson()` does after them (the app was validated and its dependencies
 *   resolved at the start of the call, and nothing outside cdk8s runs in between).
 * Anywhere else (`Testing.synth`, `Chart.toJson()` called directly, between two synths) cdk8s
 * runs as it is and every validation afresh, so a change made after a synth is always checked.
 */

/** Per app root: the validation results of the synth in progress, absent between synths. */
const inProgress = new WeakMap<IConstruct, Map<IValidation, string[]>>();
const watched = new WeakSet<IConstruct>();
const SYNTH_METHODS = ['synth', 'synthYaml'] as const;

/**
 * Makes each `synth()` and `synthYaml()` of the app that holds `scope` keep the results of
 * {@link oncePerSynth} validations and render its charts without the repeated passes. Does
 * nothing for a root that is not a cdk8s `App`, and nothing the second time for the same app.
 */
export function watchSynth(scope: IConstruct): void {
  const root = scope.node.root;
  if (!(root instanceof App) || watched.has(root)) {
    return;
  }
  watched.add(root);
  for (const method of SYNTH_METHODS) {
    const original = root[method] as (this: App) => unknown;
    // An own property on this one app: its class, and every other app, are left as they are.
    Object.defineProperty(root, method, {
      configurable: true,
      writable: true,
      value: function (this: App) {
        const outermost = !inProgress.has(root);
        const rendered: Chart[] = [];
        if (outermost) {
          inProgress.set(root, new Map());
          // Not `root.charts`: its topological sort would report a dependency cycle before
          // cdk8s reports the app's validation errors.
          for (const chart of root.node.findAll()) {
            // A chart class with a toJson() of its own keeps it, passes and all.
            if (chart instanceof Chart && chart.toJson === Chart.prototype.toJson) {
              Object.defineProperty(chart, 'toJson', {
                configurable: true,
                writable: true,
                value: () => renderChart(chart),
              });
              rendered.push(chart);
            }
          }
        }
        try {
          return original.call(this);
        } finally {
          if (outermost) {
            inProgress.delete(root);
            rendered.forEach((chart) => Reflect.deleteProperty(chart, 'toJson'));
          }
        }
      },
    });
  }
}

/**
 * What `Chart.toJson()` returns once cdk8s has validated the app and resolved its dependencies:
 * the chart's own API objects (not those of charts nested in it) in dependency order, rendered.
 */
function renderChart(chart: Chart): unknown[] {
  return new DependencyGraph(chart.node)
    .topology()
    .filter((construct): construct is ApiObject => construct instanceof ApiObject)
    .filter((object) => Chart.of(object) === chart)
    .map((object) => object.toJson());
}

/**
 * A validation for `node.addValidation` that runs `validate` once per synth of the app holding
 * `scope` (see {@link watchSynth}) and on every call anywhere else.
 */
export function oncePerSynth(scope: IConstruct, validate: () => string[]): IValidation {
  // Looked up once: `node.root` walks the scopes on every call.
  const root = scope.node.root;
  const validation: IValidation = {
    validate: () => {
      const results = inProgress.get(root);
      if (!results) {
        return validate();
      }
      let problems = results.get(validation) as string[] | undefined;
      if (!problems) {
        problems = validate();
        results.set(validation, problems);
      }
      return problems;
    },
  };
  return validation;
}
