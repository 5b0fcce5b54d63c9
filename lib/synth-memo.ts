import { App } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';

/**
 * `App.synth()` and `App.synthYaml()` of cdk8s validate the whole app once, then again for every
 * chart they render (`Chart.toJson()` validates the app before rendering the chart): C + 1 times
 * for an app of C charts. A validation whose cost grows with the app, such as the final-JSON
 * check of every ALLOW policy or the unique-name check, thus makes the synth quadratic: 10,000
 * policies in 100 charts took 39 s instead of a few. Nothing outside cdk8s runs between those
 * validations, so within one such call each validation here is computed once and its result
 * reused. Anywhere else (`Testing.synth`, `Chart.toJson()` called directly, between two synths)
 * every validation runs afresh, so a change made after a synth is always checked.
 */

/** Per app root: the validation results of the synth in progress, absent between synths. */
const inProgress = new WeakMap<IConstruct, Map<IValidation, string[]>>();
const watched = new WeakSet<IConstruct>();
const SYNTH_METHODS = ['synth', 'synthYaml'] as const;

/**
 * Makes the app that holds `scope` keep validation results for the duration of each of its
 * `synth()` and `synthYaml()` calls. Does nothing for a root that is not a cdk8s `App`, and
 * nothing the second time for the same app.
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
        if (outermost) {
          inProgress.set(root, new Map());
        }
        try {
          return original.call(this);
        } finally {
          if (outermost) {
            inProgress.delete(root);
          }
        }
      },
    });
  }
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
