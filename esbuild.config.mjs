// Builds one self-contained, minified ESM bundle per function: dist/<function>.mjs.
// Each bundle holds its function and the shared code it imports, nothing else (no simulator,
// no test code); a metafile per bundle (dist/<function>.meta.json) lists what went in.
import { build } from 'esbuild'
import { existsSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

/**
 * The esbuild options every bundle shares (the benchmark builds its bare-server baselines with
 * them too, so sizes and start-up times compare like with like).
 */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  treeShaking: true,
  sourcemap: false,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
}

/** The function folders: every directory under functions/ with an index.ts entry. */
export function functionNames() {
  const dir = join(root, 'functions')
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort()
}

/**
 * Bundles every function into `outdir` (default dist/). Returns, per function, the bundle path,
 * its size in bytes and the list of source files it contains.
 */
export async function buildFunctions({ outdir = join(root, 'dist'), quiet = false } = {}) {
  mkdirSync(outdir, { recursive: true })
  const results = []
  for (const name of functionNames()) {
    const outfile = join(outdir, `${name}.mjs`)
    const result = await build({
      entryPoints: [join(root, 'functions', name, 'index.ts')],
      outfile,
      ...bundleOptions,
      metafile: true,
      logLevel: quiet ? 'silent' : 'warning',
    })
    writeFileSync(join(outdir, `${name}.meta.json`), JSON.stringify(result.metafile))
    const output = Object.values(result.metafile.outputs)[0]
    results.push({
      name,
      outfile,
      bytes: output.bytes,
      inputs: Object.keys(result.metafile.inputs),
    })
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await buildFunctions()
  for (const r of results) {
    console.log(`${r.name.padEnd(12)} ${(r.bytes / 1024).toFixed(1).padStart(7)} KB  ${r.outfile}`)
  }
}
