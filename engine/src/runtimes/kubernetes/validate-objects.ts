// Validates objects against the Kubernetes and Argo CD schemas (kubernetes-models,
// @kubernetes-models/argo-cd): the runtime checks what it generates before committing it, and the
// tests check every object a plan contains.

import { Application, ApplicationSet, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import type { K8sObject } from './k8s-object.js';
import { objectRef } from './k8s-object.js';

type Validatable = new (data: never) => { validate(): void };

const models: Record<string, Validatable> = {
  'apps/v1/Deployment': Deployment as unknown as Validatable,
  'apps/v1/StatefulSet': StatefulSet as unknown as Validatable,
  'batch/v1/Job': Job as unknown as Validatable,
  'v1/ConfigMap': ConfigMap as unknown as Validatable,
  'v1/Secret': Secret as unknown as Validatable,
  'v1/Service': Service as unknown as Validatable,
  'v1/Namespace': Namespace as unknown as Validatable,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as Validatable,
  'argoproj.io/v1alpha1/Application': Application as unknown as Validatable,
  'argoproj.io/v1alpha1/AppProject': AppProject as unknown as Validatable,
  'argoproj.io/v1alpha1/ApplicationSet': ApplicationSet as unknown as Validatable,
};

export interface ObjectProblem {
  object: string;
  message: string;
}

/** Problems found; `unknownKinds` lists objects no model covers (reported, not failed). */
export function validateObjects(objects: readonly K8sObject[]): {
  problems: ObjectProblem[];
  unknownKinds: string[];
  validated: number;
} {
  const problems: ObjectProblem[] = [];
  const unknownKinds: string[] = [];
  let validated = 0;
  for (const o of objects) {
    const Model = models[`${o.apiVersion}/${o.kind}`];
    if (!Model) {
      unknownKinds.push(objectRef(o));
      continue;
    }
    try {
      new Model(o as never).validate();
      validated++;
    } catch (err) {
      problems.push({ object: objectRef(o), message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { problems, unknownKinds, validated };
}

export function hasModel(o: K8sObject): boolean {
  return `${o.apiVersion}/${o.kind}` in models;
}
