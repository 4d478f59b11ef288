/**
 * What the px module and the DataFrame methods need from the interpreter, as an interface so that
 * those modules do not depend on the interpreter's internals.
 */
import type { Pos } from './ast'
import type { BoundArg } from './args'
import type { Frame } from './frame'
import type { DataSource } from './types'
import type { Value } from './values'

export interface Host {
  readonly source: DataSource
  readonly nowNs: bigint
  /** Applies the scalar UDF `name` (Pixie's registry name) to scalars and/or columns. */
  applyUdf(name: string, operands: BoundArg[], at: Pos): Value
  /** px.display / px.debug. */
  display(frame: Frame, name: string, debug: boolean): void
}
