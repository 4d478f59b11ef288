/**
 * Validating manifests against the real CustomResourceDefinition schemas (read at run time from
 * the CRD folder, never copied): ajv in a lenient pass (what the API server's structural schema
 * checks, minus pruning) and a strict pass that also rejects unknown fields.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import { parseAllDocuments } from 'yaml'

type Schema = Record<string, unknown>

export interface CrdSchema {
  group: string
  version: string
  kind: string
  schema: Schema
}

/** Every served version of every CRD in `dir`, keyed as "group/version Kind". */
export function loadCrdSchemas(dir: string): Map<string, CrdSchema> {
  const out = new Map<string, CrdSchema>()
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8')) as Array<{
      toJS(): unknown
    }>) {
      const crd = doc.toJS() as {
        kind?: string
        spec?: {
          group: string
          names: { kind: string }
          versions: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema: Schema } }>
        }
      } | null
      if (crd?.kind !== 'CustomResourceDefinition' || crd.spec === undefined) continue
      for (const version of crd.spec.versions) {
        if (version.served === false || version.schema === undefined) continue
        const key = `${crd.spec.group}/${version.name} ${crd.spec.names.kind}`
        out.set(key, {
          group: crd.spec.group,
          version: version.name,
          kind: crd.spec.names.kind,
          schema: version.schema.openAPIV3Schema,
        })
      }
    }
  }
  return out
}

/**
 * A copy of `schema` where every object schema that lists properties and does not preserve
 * unknown fields gets additionalProperties: false, so a misspelled field is an error (the API
 * server would silently prune it).
 */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema)
  if (schema === null || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value !== null && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, strictSchema(v)])
      )
    } else if (key === 'enum' || key === 'required' || key === 'default' || key === 'example') {
      out[key] = value
    } else {
      out[key] = strictSchema(value)
    }
  }
  const s = schema as Schema
  if (
    s.properties !== undefined &&
    s['x-kubernetes-preserve-unknown-fields'] !== true &&
    s.additionalProperties === undefined
  ) {
    out.additionalProperties = false
  }
  return out
}

function newAjv(): Ajv {
  // Kubernetes' OpenAPI formats carry no extra constraint worth checking here: accept them.
  const ajv = new Ajv({ strict: false, allErrors: true })
  for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'date-time'])
    ajv.addFormat(format, true)
  return ajv
}

/** Compiled validators per CRD kind, lenient and strict. */
export class CrdValidator {
  private readonly lenient = new Map<string, ValidateFunction>()
  private readonly strict = new Map<string, ValidateFunction>()
  private readonly ajvLenient = newAjv()
  private readonly ajvStrict = newAjv()

  constructor(private readonly crds: Map<string, CrdSchema>) {}

  /** "argoproj.io/v1alpha1 Rollout" for a manifest's apiVersion and kind. */
  static keyOf(object: { apiVersion?: string; kind?: string }): string {
    return `${object.apiVersion ?? ''} ${object.kind ?? ''}`
  }

  has(object: { apiVersion?: string; kind?: string }): boolean {
    return this.crds.has(CrdValidator.keyOf(object))
  }

  /** ajv error lines ("/spec/x: must be integer"), empty when valid. */
  validate(object: { apiVersion?: string; kind?: string }, mode: 'lenient' | 'strict'): string[] {
    const key = CrdValidator.keyOf(object)
    const crd = this.crds.get(key)
    if (crd === undefined) return [`no CRD schema for ${key}`]
    const cache = mode === 'strict' ? this.strict : this.lenient
    let validate = cache.get(key)
    if (validate === undefined) {
      const schema = mode === 'strict' ? strictSchema(crd.schema) : crd.schema
      validate = (mode === 'strict' ? this.ajvStrict : this.ajvLenient).compile(schema as Schema)
      cache.set(key, validate)
    }
    if (validate(object)) return []
    return (validate.errors ?? []).map((e) => {
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
          : ''
      return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`
    })
  }
}
