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

/** A port of a Service target, as far as the waypoint's protocol choice is concerned. */
export interface ServiceTargetPort {
  readonly port: number;
  readonly name?: string;
}

/**
 * Whether Istio serves a Service port as HTTP, from its name (`http`, `http-*`, `http2`,
 * `grpc`, `grpc-web`, each optionally with a `-suffix`): any other port a waypoint handles as TCP.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export function isHttpPortName(name: string | undefined): boolean {
  return name !== undefined && /^(http|http2|grpc|grpc-web)(-.*)?$/.test(name);
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
    const target = ServiceTarget.service(namespace, service.name);
    // Read at synth: ports can still be added to the Service after this call.
    return new ServiceTarget(target.namespace, target.targetRef, () =>
      service.ports.map((port) => ({ port: port.port, name: port.name })),
    );
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
    /** The ports of the Service, when it was given as a cdk8s-plus object. */
    public readonly servicePorts?: () => readonly ServiceTargetPort[],
  ) {}

  /** A short description for error messages: `Service default/productpage`. */
  public toString(): string {
    return `${this.targetRef.kind} ${this.namespace}/${this.targetRef.name}`;
  }
}
