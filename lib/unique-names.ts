import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { oncePerSynth, watchSynth } from './synth-memo';

const checkedRoots = new WeakSet<IConstruct>();

/**
 * Makes the synth of the app that holds `scope` fail when two objects of one kind would get the
 * same namespace and name. Applied to a cluster, the second would silently replace the first: a
 * policy would vanish (a gateway shut, or an opening lost) with no error anywhere.
 *
 * Called by every construct of this library; the check is registered once per app and covers
 * every object in it, the user's own included.
 */
export function requireUniqueObjectNames(scope: IConstruct): void {
  const root = scope.node.root;
  if (checkedRoots.has(root)) {
    return;
  }
  checkedRoots.add(root);
  // The check reads every object of the app: once per synth, not once per chart (synth-memo.ts).
  watchSynth(root);
  root.node.addValidation(oncePerSynth(root, () => duplicateNames(root)));
}

function duplicateNames(root: IConstruct): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof ApiObject)) {
      continue;
    }
    const group = construct.apiVersion.includes('/') ? construct.apiVersion.split('/')[0] : '';
    const namespace = construct.metadata.namespace ?? '';
    const what = `${construct.kind} ${namespace ? `${namespace}/` : ''}${construct.name}`;
    const key = `${group} ${what}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, construct.node.path);
    } else {
      problems.push(
        `${first} and ${construct.node.path} both define ${what}: applied to a cluster, one would ` +
          'replace the other; give one of them another name (or app, istioApp, namespace)',
      );
    }
  }
  return problems;
}
