export interface BuiltFunction {
  name: string
  outfile: string
  bytes: number
  inputs: string[]
}
export function functionNames(): string[]
export function buildFunctions(options?: {
  outdir?: string
  quiet?: boolean
}): Promise<BuiltFunction[]>
export const bundleOptions: import('esbuild').BuildOptions
