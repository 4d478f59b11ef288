export interface BuiltFunction {
  name: string
  outfile: string
  /** Size of the entry, what start-up loads. */
  bytes: number
  /** Outputs loaded only through a dynamic import (paths relative to the working directory). */
  chunks: Array<{ path: string; bytes: number }>
  inputs: string[]
}
export function functionNames(): string[]
export function buildFunctions(options?: {
  outdir?: string
  quiet?: boolean
}): Promise<BuiltFunction[]>
export const bundleOptions: import('esbuild').BuildOptions
