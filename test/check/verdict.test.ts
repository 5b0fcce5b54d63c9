// The evaluation order (reference section 1): CUSTOM, DENY, no ALLOW applies, ALLOW, deny.
import { enforce } from '../../lib/check/verdict';
import { envoyPolicyMatches } from '../../lib/check/envoy';
import { ztunnelPolicyMatches } from '../../lib/check/ztunnel';
import { ctx, id, policy } from '../support/check-helpers';

const never = () => false;

describe('enforce', () => {
  test('when no ALLOW matches, names the allow-nothing policy (no rules) that closed the door', () => {
    const some = policy({ rules: [{}] }, { name: 'a-some' });
    const nothing = policy({}, { name: 'z-nothing', namespace: 'istio-system' });
    expect(enforce([some, nothing], ctx(), never).policy?.id).toBe('istio-system/z-nothing');
  });

  test('lists at most three applying policies', () => {
    const allows = ['a', 'b', 'c', 'd', 'e'].map((name) => policy({ rules: [{}] }, { name }));
    expect(enforce(allows, ctx(), never).reason).toBe(
      'no ALLOW policy matches (applying: default/a, default/b, default/c and 2 more)',
    );
  });

  test('AUDIT policies never decide', () => {
    const audit = policy({ action: 'AUDIT', rules: [{}] });
    expect(enforce([audit], ctx(), () => true)).toEqual({
      allowed: true,
      reason: 'no ALLOW policy applies',
    });
  });
});

describe('enforce skips the ALLOWs that name other peers', () => {
  const fromSa = (name: string, sa: string) =>
    policy(
      { rules: [{ from: [{ source: { principals: [`cluster.local/ns/default/sa/${sa}`] } }] }] },
      { name },
    );
  const fromNamespace = policy(
    {
      rules: [
        { from: [{ source: { namespaces: ['default'] } }], to: [{ operation: { ports: ['9'] } }] },
      ],
    },
    { name: 'b-namespace' },
  );
  const list = [fromSa('a-for-x', 'x'), fromNamespace, fromSa('c-for-y', 'y')];

  test.each([
    ['ztunnel', ztunnelPolicyMatches],
    ['envoy', envoyPolicyMatches],
  ])('and still reports the first match in list order (%s)', (_point, matches) => {
    // b-namespace (any peer of default, port 9) comes before c-for-y and wins on port 9.
    expect(
      enforce(list, ctx({ identity: id('default', 'y'), destinationPort: 9 }), matches).policy?.id,
    ).toBe('default/b-namespace');
    expect(enforce(list, ctx({ identity: id('default', 'y') }), matches).policy?.id).toBe(
      'default/c-for-y',
    );
    expect(enforce(list, ctx({ identity: id('default', 'x') }), matches).policy?.id).toBe(
      'default/a-for-x',
    );
  });

  test('never evaluates an ALLOW for another principal, nor any such ALLOW for a plaintext peer', () => {
    const evaluated: string[] = [];
    const spy = (p: (typeof list)[number]) => {
      evaluated.push(p.name);
      return false;
    };
    enforce(list, ctx({ identity: id('default', 'y') }), spy);
    expect(evaluated).toEqual(['b-namespace', 'c-for-y']);
    evaluated.length = 0;
    const verdict = enforce(list, ctx(), spy);
    expect(evaluated).toEqual(['b-namespace']);
    // The verdict is the one a full scan gives: no ALLOW matches.
    expect(verdict).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/^no ALLOW policy matches/),
    });
  });
});
