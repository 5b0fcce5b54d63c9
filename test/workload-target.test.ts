import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { WorkloadTarget } from '../lib';
import { validateMatchLabels } from '../lib/workload-target';

describe('WorkloadTarget', () => {
  test('selector resolves to the namespace and labels', () => {
    const target = WorkloadTarget.selector('shop', { app: 'web', 'app.kubernetes.io/name': 'web' });
    expect(target.resolve()).toEqual({
      namespace: 'shop',
      matchLabels: { app: 'web', 'app.kubernetes.io/name': 'web' },
    });
    expect(target.namespaceWide).toBe(false);
  });

  test('namespace resolves to a namespace without selector', () => {
    const target = WorkloadTarget.namespace('shop');
    expect(target.resolve()).toEqual({ namespace: 'shop' });
    expect(target.namespaceWide).toBe(true);
    expect(String(target)).toBe('WorkloadTarget.namespace("shop")');
  });

  test('selector fails on an empty selector (ztunnel attaches it to nothing)', () => {
    expect(() => WorkloadTarget.selector('shop', {})).toThrow(
      'WorkloadTarget.selector matchLabels is empty: an empty selector selects nothing at ztunnel ' +
        '(and the whole namespace in sidecar mode); give at least one label, or use ' +
        'WorkloadTarget.namespace() to target every workload of the namespace on purpose',
    );
  });

  test('selector fails on wildcards and malformed labels (the CRD refuses them)', () => {
    expect(() => WorkloadTarget.selector('shop', { app: 'web-*' })).toThrow(
      'WorkloadTarget.selector matchLabels has "web-*" for label "app", which is not a Kubernetes ' +
        'label value',
    );
    expect(() => WorkloadTarget.selector('shop', { 'app*': 'web' })).toThrow(
      'WorkloadTarget.selector matchLabels has the label key "app*", which is not a Kubernetes label key',
    );
    expect(() => WorkloadTarget.selector('shop', { 'Example.com/app': 'web' })).toThrow(
      'has the label key "Example.com/app"',
    );
    expect(() => WorkloadTarget.selector('shop', { app: 1 as unknown as string })).toThrow(
      'has 1 for label "app"',
    );
    expect(() =>
      WorkloadTarget.selector('shop', null as unknown as Record<string, string>),
    ).toThrow(
      'WorkloadTarget.selector matchLabels must be a map of label keys to values, got null',
    );
  });

  test('selector and namespace fail on a bad namespace', () => {
    expect(() => WorkloadTarget.selector('Shop', { app: 'web' })).toThrow(
      'WorkloadTarget.selector namespace "Shop" is not a valid namespace',
    );
    expect(() => WorkloadTarget.namespace('')).toThrow(
      'WorkloadTarget.namespace "" is not a valid namespace',
    );
  });

  test('fromDeployment fails on a Deployment without namespace', () => {
    const chart = new Chart(Testing.app(), 'c');
    const deployment = new kplus.Deployment(chart, 'api', {
      metadata: { name: 'api' },
      containers: [{ image: 'api' }],
    });
    expect(() => WorkloadTarget.fromDeployment(deployment)).toThrow(
      'WorkloadTarget.fromDeployment(c/api) has no namespace: set metadata.namespace on "api" or ' +
        'the namespace of its chart',
    );
  });

  test('fromDeployment reads matchLabels when resolved, not when built', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const deployment = new kplus.StatefulSet(chart, 'db', {
      containers: [{ image: 'db' }],
      service: new kplus.Service(chart, 'db-svc', { ports: [{ port: 5432 }] }),
    });
    const target = WorkloadTarget.fromDeployment(deployment);
    deployment.select(kplus.LabelSelector.of({ labels: { role: 'primary' } }));
    expect(target.resolve().matchLabels).toEqual({ ...deployment.matchLabels, role: 'primary' });
  });
});

test('validateMatchLabels accepts an empty label value, as Kubernetes does', () => {
  expect(validateMatchLabels('m', { flag: '' })).toEqual({ flag: '' });
});
