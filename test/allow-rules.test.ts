import { Source } from '../lib';
import {
  checkRuleKeys,
  checkRuleList,
  checkSources,
  renderConditions,
  renderOperation,
} from '../lib/allow-rules';

describe('renderConditions', () => {
  test('keeps ztunnel keys for ztunnel, any known key for the waypoint', () => {
    expect(renderConditions('when', [{ key: 'source.ip', values: ['10.0.0.1'] }], true)).toEqual([
      { key: 'source.ip', values: ['10.0.0.1'] },
    ]);
    expect(
      renderConditions(
        'when',
        [
          { key: 'request.auth.claims[groups]', values: ['admin'] },
          { key: 'connection.sni', notValues: ['*.internal'] },
        ],
        false,
      ),
    ).toEqual([
      { key: 'request.auth.claims[groups]', values: ['admin'] },
      { key: 'connection.sni', notValues: ['*.internal'] },
    ]);
    expect(renderConditions('when', undefined, true)).toBeUndefined();
  });

  test('fails on an empty list and on empty values', () => {
    expect(() => renderConditions('when', [], false)).toThrow(
      'when is []: give at least one condition, or leave when out',
    );
    expect(() => renderConditions('when', [{ key: 'source.ip', values: [] }], false)).toThrow(
      'when[0].values is []: give at least one value, or leave the field out; an empty list would ' +
        'put no constraint on the request',
    );
    expect(() => renderConditions('when', [{ key: 'source.ip', values: [' '] }], false)).toThrow(
      'when[0].values[0] is " ", which is not a non-empty value without spaces',
    );
  });

  test('fails on remote.ip and source.serviceAccount at ztunnel (istiod counts them as HTTP)', () => {
    expect(() =>
      renderConditions('when', [{ key: 'remote.ip', values: ['10.0.0.1'] }], true),
    ).toThrow('when[0].key is "remote.ip", an HTTP attribute');
    expect(() =>
      renderConditions('when', [{ key: 'source.serviceAccount', values: ['a/b'] }], true),
    ).toThrow('when[0].key is "source.serviceAccount", an HTTP attribute');
  });
});

describe('renderOperation', () => {
  test('renders only the fields given', () => {
    expect(renderOperation('to[0]', { ports: [80], methods: ['GET'] })).toEqual({
      operation: { ports: ['80'], methods: ['GET'] },
    });
  });

  test('fails on a field this library does not write, such as notPorts', () => {
    expect(() => renderOperation('to[0]', { notPorts: [80] })).toThrow(
      'to[0].notPorts is not an operation field this library writes; use ports, methods, paths, hosts',
    );
    expect(() => renderOperation('to[0]', 'GET')).toThrow('to[0] must be an operation, got "GET"');
  });
});

describe('checkSources and checkRuleKeys', () => {
  test('take a list of Source objects and the known keys only', () => {
    const source = Source.namespace('a');
    expect(checkSources('from', [source])).toEqual([source]);
    expect(() => checkSources('from', undefined)).toThrow(
      'from is undefined: a rule needs at least one source',
    );
    expect(checkRuleKeys('rule', { from: [] }, ['from'], () => undefined)).toEqual({ from: [] });
    expect(() => checkRuleKeys('rule', { form: [] }, ['from', 'ports'], () => undefined)).toThrow(
      'rule.form is not a field of this rule; the fields are from, ports',
    );
    expect(() => checkRuleKeys('rule', null, ['from'], () => undefined)).toThrow(
      'rule must be a rule, got null',
    );
  });
});

test('checkRuleList takes a list only', () => {
  expect(checkRuleList([])).toEqual([]);
  expect(() => checkRuleList({ from: [] } as unknown as [])).toThrow(
    'rules must be a list of rules, got {"from":[]}',
  );
});
