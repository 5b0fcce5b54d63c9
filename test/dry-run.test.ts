import { ApiObject, Testing } from 'cdk8s';
import { applyDryRun, DRY_RUN_ANNOTATION } from '../lib/dry-run';
import { testChart } from './support/synth';

describe('applyDryRun', () => {
  test('writes istio.io/dry-run "true" for true, nothing for false or undefined', () => {
    const chart = testChart();
    const objects = [true, false, undefined].map((dryRun, index) => {
      const object = new ApiObject(chart, `o${index}`, { apiVersion: 'v1', kind: 'ConfigMap' });
      expect(applyDryRun('dryRun', object, dryRun)).toBe(dryRun === true);
      return object;
    });
    expect(objects).toHaveLength(3);
    expect(Testing.synth(chart).map((o) => o.metadata.annotations)).toEqual([
      { [DRY_RUN_ANNOTATION]: 'true' },
      undefined,
      undefined,
    ]);
    expect(DRY_RUN_ANNOTATION).toBe('istio.io/dry-run');
  });

  test('fails on a value that is not a boolean', () => {
    const object = new ApiObject(testChart(), 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => applyDryRun('dryRun', object, 'yes')).toThrow(
      'dryRun must be true or false, got "yes"',
    );
  });
});
