import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { K8sObject } from './rendered-manifests';

/** A Deployment or StatefulSet, reduced to what the tests read. */
export interface Workload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
  readonly replicas: number;
  readonly selector: Readonly<Record<string, string>>;
  readonly pod: IPodSpec;
}

interface WorkloadSpec {
  readonly replicas?: number;
  readonly selector: { readonly matchLabels?: Record<string, string> };
  readonly template: { readonly spec: IPodSpec };
}

/** Every Deployment and StatefulSet of a rendered overlay (schema-validated by kubernetes-schema.test.ts). */
export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects
    .filter((object): object is K8sObject & { kind: Workload['kind']; spec: WorkloadSpec } => object.kind === 'Deployment' || object.kind === 'StatefulSet')
    .map((object) => ({
      kind: object.kind,
      name: object.metadata.name,
      replicas: object.spec.replicas ?? 1,
      selector: object.spec.selector.matchLabels ?? {},
      pod: object.spec.template.spec,
    }));
}

/** The workload of a name. */
export function workload(objects: readonly K8sObject[], name: string): Workload {
  const found = workloads(objects).find((candidate) => candidate.name === name);
  if (found === undefined) {
    throw new Error(`no Deployment or StatefulSet named ${name}`);
  }
  return found;
}

/** The container named like its workload (each pod here has one). */
export function mainContainer(target: Workload): IContainer {
  const container = target.pod.containers.find((candidate) => candidate.name === target.name);
  if (container === undefined) {
    throw new Error(`${target.name} has no container named ${target.name}`);
  }
  return container;
}
