import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { K8sObject } from './rendered-manifests';

/** A kubernetes-models class: built from an object, `validate()` checks it against the Kubernetes OpenAPI schema. */
type ModelClass = new (data: never) => { validate(): void };

// Every kind the manifests use. A new kind fails the schema test until it is added here, so
// nothing reaches a cluster unvalidated.
const MODELS: Readonly<Record<string, ModelClass>> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

/**
 * kustomize wraps long base64 values of generated Secrets at 70 columns. The API server's
 * decoder (Go's encoding/base64) skips line breaks; the schema's `byte` format does not.
 */
function withUnwrappedSecretData(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) {
    return object;
  }
  const data = Object.fromEntries(Object.entries(object.data as Record<string, string>).map(([key, value]) => [key, value.replace(/\s+/g, '')]));
  return { ...object, data };
}

/**
 * Validates an object against the Kubernetes OpenAPI schema of its apiVersion and kind
 * (kubernetes-models: types, required fields, enums, formats).
 *
 * @returns the validation problems, empty when the object is valid
 */
export function schemaProblems(object: K8sObject): string[] {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) {
    return [`no schema registered for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new Model(withUnwrappedSecretData(object) as never).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
