import type { IContainer } from 'kubernetes-models/v1/Container';
import type { K8sObject } from './rendered-manifests';

/** Where a container's variable comes from, resolved against the rendered objects. */
export type EnvSource =
  | { readonly from: 'value' | 'configMap' | 'secret'; readonly value: string }
  /** A Secret the overlay does not render: created with kubectl by the operator. */
  | { readonly from: 'external-secret'; readonly secret: string; readonly key: string }
  /** An optional reference whose ConfigMap or Secret is absent: the variable stays unset. */
  | { readonly from: 'unset' }
  | { readonly from: 'field'; readonly fieldPath: string };

function dataOf(objects: readonly K8sObject[], kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> | undefined {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (object === undefined) {
    return undefined;
  }
  const data = (object.data ?? {}) as Record<string, string>;
  return kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])) : data;
}

/**
 * Resolves every `env` entry of a container: literal values, ConfigMap and Secret keys (the
 * objects must be in `objects`, except Secrets the overlay leaves to the operator).
 *
 * @throws {Error} for a reference to a missing ConfigMap key or a missing key of a rendered Secret
 */
export function resolveEnv(container: IContainer, objects: readonly K8sObject[]): Map<string, EnvSource> {
  const resolved = new Map<string, EnvSource>();
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom;
    if (ref === undefined) {
      resolved.set(variable.name, { from: 'value', value: variable.value ?? '' });
    } else if (ref.configMapKeyRef !== undefined) {
      const { name = '', key, optional } = ref.configMapKeyRef;
      const value = dataOf(objects, 'ConfigMap', name)?.[key];
      if (value === undefined && optional !== true) {
        throw new Error(`${container.name}: ${variable.name} refers to ConfigMap ${name} key ${key}, which does not exist`);
      }
      resolved.set(variable.name, value === undefined ? { from: 'unset' } : { from: 'configMap', value });
    } else if (ref.secretKeyRef !== undefined) {
      const { name = '', key, optional } = ref.secretKeyRef;
      const data = dataOf(objects, 'Secret', name);
      if (data === undefined) {
        resolved.set(variable.name, optional === true ? { from: 'unset' } : { from: 'external-secret', secret: name, key });
      } else if (data[key] === undefined) {
        throw new Error(`${container.name}: ${variable.name} refers to Secret ${name} key ${key}, which does not exist`);
      } else {
        resolved.set(variable.name, { from: 'secret', value: data[key] });
      }
    } else if (ref.fieldRef !== undefined) {
      resolved.set(variable.name, { from: 'field', fieldPath: ref.fieldRef.fieldPath });
    } else {
      throw new Error(`${container.name}: ${variable.name} has a valueFrom the tests do not know`);
    }
  }
  return resolved;
}

/** The variables with a value the tests can read, as a process environment would hold them. */
export function knownValues(env: ReadonlyMap<string, EnvSource>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, source] of env) {
    if ('value' in source) {
      values[name] = source.value;
    }
  }
  return values;
}
