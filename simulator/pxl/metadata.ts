/**
 * Kubernetes metadata columns: `df.ctx[key]` (with Pixie's key aliases, metadata_handler.cc in
 * pixie-io/pixie src/carnot/planner/metadata/metadata_handler.cc) and the px.upid_to_* UDFs, resolved from each row's upid through the DataSource's
 * MetadataResolver. Lookups are cached per distinct upid (there are few processes, many rows).
 */
import type { CellValue } from '../../shared/pixie/types'
import { SemanticType } from '../../shared/pixie/gen/vizierapi_pb'
import type { Pos } from './ast'
import type { ColumnExpr } from './expr'
import { findColumn, type Frame } from './frame'
import { PxlCompileError, type MetadataResolver } from './types'

type ResolverKey = Parameters<MetadataResolver['resolve']>[0]

export interface MetadataProperty {
  /** Canonical name, used for the expression's name. */
  name: string
  semanticType: number
  resolve: (resolver: MetadataResolver, upid: string) => CellValue
  type: 'STRING' | 'INT64'
}

function viaResolver(key: ResolverKey, semanticType: number): MetadataProperty {
  return { name: key, semanticType, type: 'STRING', resolve: (r, upid) => r.resolve(key, upid) }
}

/** UPID = (asid << 96) | (pid << 64) | start time; as a UUID: asid hex[0..8), pid hex[8..16). */
function upidField(start: number, name: string): MetadataProperty {
  return {
    name,
    semanticType: 0,
    type: 'INT64',
    resolve: (_r, upid) => {
      const hex = upid.replace(/-/g, '')
      return BigInt(`0x${hex.slice(start, start + 8) || '0'}`)
    },
  }
}

const POD = viaResolver('pod', SemanticType.ST_POD_NAME)
const SERVICE = viaResolver('service', SemanticType.ST_SERVICE_NAME)
const NAMESPACE = viaResolver('namespace', SemanticType.ST_NAMESPACE_NAME)
const REPLICASET = viaResolver('replicaset', 0)
const DEPLOYMENT = viaResolver('deployment', 0)
const NODE = viaResolver('node', SemanticType.ST_NODE_NAME)
const CONTAINER = viaResolver('container', SemanticType.ST_CONTAINER_NAME)
const POD_ID = viaResolver('pod_id', 0)

const CTX_KEYS: Record<string, MetadataProperty> = {
  pod: POD,
  pod_name: POD,
  service: SERVICE,
  service_name: SERVICE,
  namespace: NAMESPACE,
  replicaset: REPLICASET,
  replicaset_name: REPLICASET,
  replica_set: REPLICASET,
  deployment: DEPLOYMENT,
  deployment_name: DEPLOYMENT,
  node: NODE,
  node_name: NODE,
  container: CONTAINER,
  container_name: CONTAINER,
  pod_id: POD_ID,
  asid: upidField(0, 'asid'),
  pid: upidField(8, 'pid'),
}

/** The agent (node) short id in a upid's high 32 bits (pixie-io/pixie src/carnot/funcs/metadata/metadata_ops.h UPIDToASIDUDF). */
const ASID = upidField(0, 'asid')

/** Keys Pixie accepts but the simulator's MetadataResolver cannot answer. */
const UNSUPPORTED_KEYS = new Set([
  'service_id',
  'replicaset_id',
  'deployment_id',
  'container_id',
  'hostname',
  'host',
  'cmdline',
  'cmd',
])

/** px.upid_to_* UDFs and the metadata property each returns. */
export const UPID_UDFS: Record<string, MetadataProperty> = {
  upid_to_pod_name: POD,
  upid_to_service_name: SERVICE,
  upid_to_namespace: NAMESPACE,
  upid_to_replicaset_name: REPLICASET,
  upid_to_deployment_name: DEPLOYMENT,
  upid_to_node_name: NODE,
  upid_to_container_name: CONTAINER,
  upid_to_pod_id: POD_ID,
  upid_to_asid: ASID,
}

/** An expression computing `property` from the UINT128 expression `upid`. */
export function metadataExpr(
  resolver: MetadataResolver,
  property: MetadataProperty,
  upid: ColumnExpr,
  pos: Pos
): ColumnExpr {
  return {
    kind: 'call',
    name: `metadata.${property.name}`,
    impl: (u) => property.resolve(resolver, u as string),
    args: [upid],
    type: property.type,
    semanticType: property.semanticType,
    pos,
    memo: true,
  }
}

/** `df.ctx[key]`: the metadata column for each row's upid; unknown keys are compile errors. */
export function ctxExpr(
  resolver: MetadataResolver,
  frame: Frame,
  key: string,
  pos: Pos
): ColumnExpr {
  const property = CTX_KEYS[key]
  if (property === undefined) {
    const why = UNSUPPORTED_KEYS.has(key)
      ? `ctx['${key}'] is valid in Pixie but not supported by the simulator`
      : `'${key}' is not a valid metadata key for df.ctx`
    throw new PxlCompileError(why, pos.line, pos.column)
  }
  const upid = findColumn(frame, 'upid')
  if (upid === undefined || upid.type !== 'UINT128') {
    throw new PxlCompileError(
      `df.ctx['${key}'] needs a UINT128 'upid' column in the DataFrame (select it from the table)`,
      pos.line,
      pos.column
    )
  }
  const ref: ColumnExpr = {
    kind: 'col',
    name: 'upid',
    type: 'UINT128',
    semanticType: upid.semanticType,
    pos,
  }
  return metadataExpr(resolver, property, ref, pos)
}
