import { ApiObject, Testing } from 'cdk8s';
import {
  applySyncWave,
  DEFAULT_ALLOW_NOTHING_SYNC_WAVE,
  DEFAULT_ALLOW_SYNC_WAVE,
  resolveSyncWaves,
  SYNC_WAVE_ANNOTATION,
  validateSyncWave,
} from '../lib';
import { testChart } from './support/synth';

describe('sync waves', () => {
  test('ALLOW policies come before unannotated resources (0), allow-nothing after them', () => {
    expect(DEFAULT_ALLOW_SYNC_WAVE).toBe(-1);
    expect(DEFAULT_ALLOW_NOTHING_SYNC_WAVE).toBe(1);
    expect(resolveSyncWaves('syncWaves', undefined)).toEqual({ allow: -1, allowNothing: 1 });
    expect(resolveSyncWaves('syncWaves', { allow: -10 })).toEqual({ allow: -10, allowNothing: 1 });
    expect(resolveSyncWaves('syncWaves', false)).toEqual({ allow: false, allowNothing: false });
  });

  test('fails when the ALLOW wave is not before the allow-nothing wave', () => {
    expect(() => resolveSyncWaves('syncWaves', { allow: 2 })).toThrow(
      'syncWaves puts the ALLOW policies in wave 2, not before the allow-nothing policies in wave ' +
        '1: Argo CD would lock traffic down before the ALLOWs exist; give allow a lower number ' +
        'than allowNothing',
    );
    expect(() => resolveSyncWaves('syncWaves', { allow: 3, allowNothing: 3 })).toThrow(
      'syncWaves puts the ALLOW policies in wave 3, not before the allow-nothing policies in wave 3',
    );
  });

  // Objects without the annotation are in wave 0 (Argo CD's default): the lockdown must follow
  // them, hand-written ALLOWs included.
  test('fails when the allow-nothing wave is not after wave 0', () => {
    expect(() => resolveSyncWaves('syncWaves', { allow: -10, allowNothing: -5 })).toThrow(
      'syncWaves puts the allow-nothing policies in wave -5, not after wave 0 where Argo CD ' +
        'applies everything without a wave',
    );
    expect(() => resolveSyncWaves('syncWaves', { allow: -1, allowNothing: 0 })).toThrow(
      'syncWaves puts the allow-nothing policies in wave 0',
    );
  });

  test('fails when only the allow-nothing policies carry no wave and the ALLOWs are not before 0', () => {
    expect(() =>
      resolveSyncWaves('syncWaves', { allow: 5, allowNothing: false as unknown as number }),
    ).toThrow(
      'syncWaves puts the ALLOW policies in wave 5, not before the allow-nothing policies, which carry no wave',
    );
  });

  test('fails on a wave that is not an integer, and on a bad mapping', () => {
    expect(() => validateSyncWave('syncWave', '1')).toThrow(
      'syncWave must be an integer (the Argo CD sync wave) or false (no annotation), got "1"',
    );
    expect(() => validateSyncWave('syncWave', 1.5)).toThrow('got 1.5');
    expect(() => validateSyncWave('syncWave', true)).toThrow('got true');
    expect(() => resolveSyncWaves('syncWaves', { allow: 'x' as unknown as number })).toThrow(
      'syncWaves.allow must be an integer',
    );
    expect(() => resolveSyncWaves('syncWaves', true as unknown as false)).toThrow(
      'syncWaves must be false or a mapping with allow and allowNothing, got true',
    );
  });

  test('applySyncWave writes the annotation as a string, or nothing for false', () => {
    const chart = testChart();
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap' });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap' });
    applySyncWave(a, -1);
    applySyncWave(b, false);
    const [ja, jb] = Testing.synth(chart);
    expect(ja.metadata.annotations).toEqual({ [SYNC_WAVE_ANNOTATION]: '-1' });
    expect(SYNC_WAVE_ANNOTATION).toBe('argocd.argoproj.io/sync-wave');
    expect(jb.metadata.annotations).toBeUndefined();
  });
});
