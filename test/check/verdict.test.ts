// The evaluation order (reference section 1): CUSTOM, DENY, no ALLOW applies, ALLOW, deny.
import { enforce } from '../../lib/check/verdict';
import { ctx, policy } from '../support/check-helpers';

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
