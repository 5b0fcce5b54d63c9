import { PrometheusScrapeAllow, Source, WorkloadTarget } from '../lib';
import { synthValid, testChart } from './support/synth';

const api = WorkloadTarget.selector('shop', { app: 'api' });

describe('PrometheusScrapeAllow', () => {
  test('lets the monitoring namespace reach the metrics ports, at ztunnel (snapshot)', () => {
    const chart = testChart();
    const scrape = new PrometheusScrapeAllow(chart, 'scrape', {
      name: 'prometheus-scrape-api',
      target: api,
      ports: [9090, 15020],
    });
    const objects = synthValid(chart);
    expect(objects).toMatchSnapshot();
    expect(objects[0].spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'api' } },
      rules: [
        {
          from: [{ source: { namespaces: ['monitoring'] } }],
          to: [{ operation: { ports: ['9090', '15020'] } }],
        },
      ],
    });
    expect(scrape.allow.name).toBe('prometheus-scrape-api');
  });

  test('takes another monitoring namespace, or explicit sources for a plaintext Prometheus', () => {
    const chart = testChart();
    new PrometheusScrapeAllow(chart, 'a', {
      target: api,
      ports: [9090],
      monitoringNamespace: 'cos',
    });
    new PrometheusScrapeAllow(chart, 'b', {
      target: api,
      ports: [9090],
      from: [Source.ipBlocks('10.42.0.0/16')],
    });
    const [a, b] = synthValid(chart);
    expect(a.spec.rules[0].from).toEqual([{ source: { namespaces: ['cos'] } }]);
    expect(b.spec.rules[0].from).toEqual([{ source: { ipBlocks: ['10.42.0.0/16'] } }]);
  });

  test('fails without ports (it would open every port) and on a bad namespace', () => {
    expect(() => new PrometheusScrapeAllow(testChart(), 's', { target: api, ports: [] })).toThrow(
      'test/s: ports is []: name the metrics ports; an ALLOW without ports would open every port ' +
        'of the pods to the monitoring namespace',
    );
    expect(
      () =>
        new PrometheusScrapeAllow(testChart(), 's', {
          target: api,
          ports: [9090],
          monitoringNamespace: 'Monitoring',
        }),
    ).toThrow('test/s: monitoringNamespace "Monitoring" is not a valid namespace');
  });
});
