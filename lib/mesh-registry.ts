import { IConstruct } from 'constructs';
import { SyncWave } from './sync-waves';

/**
 * What the constructs of one cdk8s app tell each other about the mesh, for the checks that need
 * the whole app: which namespaces are Istio's root namespace, and in which Argo CD sync waves the
 * lockdown and the openings are applied.
 *
 * A construct cannot know these when it is created (the HardenedMesh chart may be added after the
 * platform chart), so everything is recorded here and checked once, at synth.
 */
interface Registry {
  readonly rootNamespaces: Set<string>;
  readonly lockdowns: { path: string; wave: SyncWave }[];
  readonly allows: { path: string; wave: SyncWave }[];
}

const registries = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = registries.get(root);
  if (!registry) {
    const created: Registry = { rootNamespaces: new Set(), lockdowns: [], allows: [] };
    root.node.addValidation({ validate: () => lockdownOrderProblems(created) });
    registries.set(root, created);
    registry = created;
  }
  return registry;
}

/** Records that `namespace` is Istio's root namespace in the app that holds `scope`. */
export function declareRootNamespace(scope: IConstruct, namespace: string): void {
  registryOf(scope).rootNamespaces.add(namespace);
}

/** The root namespaces declared so far in the app that holds `scope`. */
export function rootNamespacesOf(scope: IConstruct): ReadonlySet<string> {
  return registryOf(scope).rootNamespaces;
}

/** Records an allow-nothing policy and its sync wave. */
export function declareLockdown(scope: IConstruct, wave: SyncWave): void {
  registryOf(scope).lockdowns.push({ path: scope.node.path, wave });
}

/** Records an ALLOW policy that opens traffic, and its sync wave. */
export function declareOpening(scope: IConstruct, wave: SyncWave): void {
  registryOf(scope).allows.push({ path: scope.node.path, wave });
}

/**
 * Argo CD applies lower waves first; an object without the annotation is in wave 0. Every opening
 * must come strictly before the earliest lockdown, or enabling hardening cuts traffic before the
 * ALLOWs that keep it flowing exist. Lockdowns without a wave (`syncWaves: false`) opt out.
 */
function lockdownOrderProblems(registry: Registry): string[] {
  const waves = registry.lockdowns
    .map((lockdown) => lockdown.wave)
    .filter((wave): wave is number => wave !== false);
  if (waves.length === 0) {
    return [];
  }
  const first = Math.min(...waves);
  return registry.allows
    .filter((allow) => (allow.wave === false ? 0 : allow.wave) >= first)
    .map(
      (allow) =>
        `${allow.path} is in sync wave ${allow.wave === false ? '0 (no annotation)' : allow.wave}, ` +
        `not before the allow-nothing policies in wave ${first}: Argo CD would lock traffic down ` +
        'before this ALLOW exists; give it a lower syncWave',
    );
}
