import type * as kplus from 'cdk8s-plus-28';
import { GATEWAY_API_GROUP } from './defaults';
import { InvalidValueError, quote, validateNamespace, validateObjectName } from './names';

/** API group of Istio's networking kinds (ServiceEntry). */
export const ISTIO_NETWORKING_GROUP = 'networking.istio.io';

/** A rendered `targetRefs` entry. */
export interface RenderedTargetRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * What a waypoint (L7) policy applies to: a Service, a ServiceEntry, or a whole waypoint Gateway,
 * rendered as a `targetRefs` entry in the target's own namespace. Built only through the static
 * factories.
 *
 * Istio ignores a `targetRefs` entry that names another namespace, so every target of one policy
 * must share its namespace; the policy goes there.
 *
 * @see https://istio.io/latest/docs/reference/config/type/policy-target-reference/
 */
export class ServiceTarget {
  /**
   * Requests to a Kubernetes Service, enforced by whichever waypoint serves it (`kind: Service`,
   * `group: ""`).
   */
  public static service(namespace: string, name: string): ServiceTarget {
    return ServiceTarget.of('service', namespace, name, '', 'Service');
  }

  /** Requests to a cdk8s-plus Service. */
  public static fromService(service: kplus.Service): ServiceTarget {
    const namespace = service.metadata.namespace;
    if (!namespace) {
      throw new InvalidValueError(
        `ServiceTarget.fromService(${service.node.path})`,
        `has no namespace: set metadata.namespace on ${quote(service.name)} or the namespace of its chart`,
      );
    }
    return ServiceTarget.service(namespace, service.name);
  }

  /**
   * Every request a waypoint handles (`kind: Gateway`). The policy must live in the waypoint's
   * namespace: Istio ignores it anywhere else.
   */
  public static waypoint(namespace: string, name: string): ServiceTarget {
    return ServiceTarget.of('waypoint', namespace, name, GATEWAY_API_GROUP, 'Gateway');
  }

  /** Requests to an Istio ServiceEntry (`kind: ServiceEntry`) served by a waypoint. */
  public static serviceEntry(namespace: string, name: string): ServiceTarget {
    return ServiceTarget.of(
      'serviceEntry',
      namespace,
      name,
      ISTIO_NETWORKING_GROUP,
      'ServiceEntry',
    );
  }

  private static of(
    factory: string,
    namespace: string,
    name: string,
    group: string,
    kind: string,
  ): ServiceTarget {
    const ns = validateNamespace(`ServiceTarget.${factory} namespace`, namespace);
    const objectName = validateObjectName(`ServiceTarget.${factory} name`, name);
    return new ServiceTarget(ns, { group, kind, name: objectName });
  }

  private constructor(
    /** The namespace of the target, where the policy goes. */
    public readonly namespace: string,
    /** The `targetRefs` entry. */
    public readonly targetRef: RenderedTargetRef,
  ) {}

  /** A short description for error messages: `Service default/productpage`. */
  public toString(): string {
    return `${this.targetRef.kind} ${this.namespace}/${this.targetRef.name}`;
  }
}
