import { ApiObject } from 'cdk8s';
import { InvalidValueError, quote } from './names';
import { withDefault } from './props';

/**
 * Argo CD applies the resources of an Application in ascending sync wave and prunes them in
 * descending order.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * Default wave of ALLOW policies: before the unannotated resources (wave 0), so an ALLOW exists
 * before the traffic it opens is locked down, and is pruned only after the lockdown is gone.
 */
export const DEFAULT_ALLOW_SYNC_WAVE = -1;

/**
 * Default wave of the allow-nothing policies: after the unannotated resources (wave 0), so even
 * hand-written ALLOW policies without a wave are applied before the lockdown and pruned after it.
 */
export const DEFAULT_ALLOW_NOTHING_SYNC_WAVE = 1;

/** A sync wave (an integer), or `false` for no sync-wave annotation. */
export type SyncWave = number | false;

/** The Argo CD sync waves of the policies of a {@link HardenedMesh}. */
export interface SyncWaves {
  /**
   * Wave of the ALLOW policies. Must be lower than `allowNothing`.
   *
   * @default -1
   */
  readonly allow?: number;

  /**
   * Wave of the allow-nothing policies. Must be higher than `allow`.
   *
   * @default 1
   */
  readonly allowNothing?: number;
}

/** Checks a sync wave prop: an integer or `false`. */
export function validateSyncWave(field: string, wave: unknown): SyncWave {
  if (wave === false || (typeof wave === 'number' && Number.isSafeInteger(wave))) {
    return wave;
  }
  throw new InvalidValueError(
    field,
    `must be an integer (the Argo CD sync wave) or false (no annotation), got ${quote(wave)}`,
  );
}

/** Checks the sync waves of a chart: the ALLOW wave must come strictly before the lockdown. */
export function resolveSyncWaves(
  field: string,
  waves: SyncWaves | false | undefined,
): { allow: SyncWave; allowNothing: SyncWave } {
  if (waves === false) {
    return { allow: false, allowNothing: false };
  }
  if (waves !== undefined && (typeof waves !== 'object' || waves === null)) {
    throw new InvalidValueError(
      field,
      `must be false or a mapping with allow and allowNothing, got ${quote(waves)}`,
    );
  }
  const allow = validateSyncWave(
    `${field}.allow`,
    withDefault(waves?.allow, DEFAULT_ALLOW_SYNC_WAVE),
  );
  const allowNothing = validateSyncWave(
    `${field}.allowNothing`,
    withDefault(waves?.allowNothing, DEFAULT_ALLOW_NOTHING_SYNC_WAVE),
  );
  // Objects without the annotation (workloads, hand-written ALLOWs) are in wave 0: the lockdown
  // must come after them too.
  if (allowNothing !== false && allowNothing <= 0) {
    throw new InvalidValueError(
      field,
      `puts the allow-nothing policies in wave ${allowNothing}, not after wave 0 where Argo CD ` +
        'applies everything without a wave (your workloads and hand-written ALLOWs): the lockdown ' +
        'would land before them; give allowNothing a number above 0',
    );
  }
  if (allow !== false && allowNothing === false && allow >= 0) {
    throw new InvalidValueError(
      field,
      `puts the ALLOW policies in wave ${allow}, not before the allow-nothing policies, which ` +
        'carry no wave (wave 0): give allow a number below 0',
    );
  }
  if (allow !== false && allowNothing !== false && allow >= allowNothing) {
    throw new InvalidValueError(
      field,
      `puts the ALLOW policies in wave ${allow}, not before the allow-nothing policies in wave ` +
        `${allowNothing}: Argo CD would lock traffic down before the ALLOWs exist; ` +
        'give allow a lower number than allowNothing',
    );
  }
  return { allow, allowNothing };
}

/** Writes the sync-wave annotation on `object`, unless `wave` is `false`. */
export function applySyncWave(object: ApiObject, wave: SyncWave): void {
  if (wave !== false) {
    object.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  }
}
