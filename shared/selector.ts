/**
 * Which pods a metric covers, as the caller asked for them. One shape travels from the HTTP
 * parameters (shared/params.ts) to the PxL request builder (shared/pxl) and back into the response,
 * so what was measured is always reported exactly as it was understood.
 */

/** A replicaset by name; `rollout` + `hash` are kept when the caller named it that way. */
export interface ReplicaSetSelector {
  kind: 'replicaset'
  namespace: string
  /** The replicaset name without namespace, e.g. 'canary-demo-7d9f'. */
  replicaset: string
  rollout?: string
  hash?: string
}

/** Pods whose name starts with a prefix (the original Pixie demo's path form). */
export interface PodPrefixSelector {
  kind: 'pod'
  namespace: string
  /** Pod-name prefix without namespace, e.g. 'canary-demo-6d8f9'. */
  pod: string
}

/** Pods backing a Service (also when a pod backs several services). */
export interface ServiceSelector {
  kind: 'service'
  namespace: string
  service: string
}

export type Selector = ReplicaSetSelector | PodPrefixSelector | ServiceSelector
