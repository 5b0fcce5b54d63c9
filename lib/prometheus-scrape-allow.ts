import { Construct } from 'constructs';
import { checkProps } from './errors';
import { checkPropsObject, withDefault } from './props';
import { InvalidValueError, quote, validateNamespace } from './names';
import { Source } from './source';
import { SyncWave } from './sync-waves';
import { WorkloadAllow } from './workload-allow';
import { WorkloadTarget } from './workload-target';

/** The namespace the Prometheus of most monitoring stacks runs in. */
export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';

/** Props of {@link PrometheusScrapeAllow}. */
export interface PrometheusScrapeAllowProps {
  /** The pods whose metrics are scraped. */
  readonly target: WorkloadTarget;

  /** The metrics ports of the pods (container ports, such as 9090 or 15020). */
  readonly ports: readonly number[];

  /**
   * The namespace Prometheus runs in; its workloads may scrape.
   *
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;

  /**
   * Who may scrape, instead of every workload of `monitoringNamespace`. A Prometheus that is not
   * enrolled in the mesh connects in plaintext and carries no identity, so a namespace source
   * never matches it: name it by address (`Source.ipBlocks(...)`, its pod CIDR) instead.
   *
   * @default - [Source.namespace(monitoringNamespace)]
   */
  readonly from?: readonly Source[];

  /**
   * Name of the AuthorizationPolicy.
   *
   * @default - a unique name derived from the construct path
   */
  readonly name?: string;

  /**
   * The mesh's trust domain.
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;

  /**
   * Argo CD sync wave, or `false` for none.
   *
   * @default -1
   */
  readonly syncWave?: SyncWave;
}

/**
 * Lets Prometheus scrape the metrics ports of some pods: an L4 ALLOW enforced by ztunnel, since
 * Prometheus scrapes pod addresses directly, which a waypoint does not capture with its default
 * `istio.io/waypoint-for: service`. A waypoint labelled `workload` or `all` does capture them
 * (istio/istio#56505) and no policy can scope such traffic at the waypoint: there, scraping needs
 * a waypoint-wide `ServiceAllow` (`ServiceTarget.waypoint`) from the monitoring namespace.
 */
export class PrometheusScrapeAllow extends Construct {
  /** The L4 policy. */
  public readonly allow: WorkloadAllow;

  constructor(scope: Construct, id: string, props: PrometheusScrapeAllowProps) {
    super(scope, id);

    // Plain JavaScript callers get no type check: a misspelt prop must not fall back to a default.
    checkProps(this, () =>
      checkPropsObject('props', props, [
        'target',
        'ports',
        'monitoringNamespace',
        'from',
        'name',
        'trustDomain',
        'syncWave',
      ]),
    );

    const from = checkProps(this, () => {
      if (props.from !== undefined) {
        return props.from;
      }
      const namespace = validateNamespace(
        'monitoringNamespace',
        withDefault(props.monitoringNamespace, DEFAULT_MONITORING_NAMESPACE),
      );
      return [Source.namespace(namespace)];
    });
    checkProps(this, () => {
      if (!Array.isArray(props.ports) || props.ports.length === 0) {
        throw new InvalidValueError(
          'ports',
          `is ${quote(props.ports)}: name the metrics ports; an ALLOW without ports would open ` +
            'every port of the pods to the monitoring namespace',
        );
      }
    });

    this.allow = new WorkloadAllow(this, 'Default', {
      target: props.target,
      name: props.name,
      trustDomain: props.trustDomain,
      syncWave: props.syncWave,
      rules: [{ from, ports: props.ports }],
    });
  }
}
