/**
 * A PxL script as data: a fixed source string with a name and a content hash. Request values never
 * become part of the source (they travel as exec_funcs arguments), so the hash identifies exactly
 * which code Pixie ran and responses can report it.
 */
import { createHash } from 'node:crypto'

export interface PxlScript {
  /** Stable, human-readable name reported in responses, e.g. 'px-canary/http_stats'. */
  readonly name: string
  /** The PxL source, constant for the life of the process. */
  readonly source: string
  /** Hex SHA-256 of `source` (UTF-8), computed on first use. */
  readonly sha256: string
}

/**
 * Wraps a constant PxL source. The digest is computed lazily so that importing a script costs
 * nothing at cold start until the first query needs it.
 */
export function definePxlScript(name: string, source: string): PxlScript {
  let digest: string | undefined
  return {
    name,
    source,
    get sha256(): string {
      digest ??= createHash('sha256').update(source, 'utf8').digest('hex')
      return digest
    },
  }
}
