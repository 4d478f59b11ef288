// Builds one minified ESM bundle per function: dist/<function>.mjs, the entry that starts and
// answers, plus dist/<function>.chunks/ for code that only some configurations load through a
// dynamic import (E2E decryption, the in-cluster service token: both need jose), so the start-up
// path neither parses nor ships them when unused. Each holds its function and the shared code it
// imports, nothing else (no simulator, no test code); a metafile per function
// (dist/<function>.meta.json) lists what went into every output.
import { build } from 'esbuild'
import { existsSync, readdirSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
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
 * Bundles every function into `outdir` (default dist/). Returns, per function, the entry's path,
 * its size in bytes, the lazily loaded chunks (path and bytes) and the source files it contains.
 */
export async function buildFunctions({ outdir = join(root, 'dist'), quiet = false } = {}) {
  mkdirSync(outdir, { recursive: true })
  const results = []
  for (const name of functionNames()) {
    const outfile = join(outdir, `${name}.mjs`)
    rmSync(join(outdir, `${name}.chunks`), { recursive: true, force: true })
    const result = await build({
      entryPoints: { [name]: join(root, 'functions', name, 'index.ts') },
      outdir,
      splitting: true,
      entryNames: '[name]',
      chunkNames: `${name}.chunks/[name]-[hash]`,
      outExtension: { '.js': '.mjs' },
      ...bundleOptions,
      metafile: true,
      logLevel: quiet ? 'silent' : 'warning',
    })
    writeFileSync(join(outdir, `${name}.meta.json`), JSON.stringify(result.metafile))
    const outputs = Object.entries(result.metafile.outputs)
    const isEntry = ([, o]) => o.entryPoint === `functions/${name}/index.ts`
    const output = outputs.find(isEntry)[1]
    const chunks = outputs
      .filter((entry) => !isEntry(entry))
      .map(([path, o]) => ({ path, bytes: o.bytes }))
    results.push({
      name,
      outfile,
      bytes: output.bytes,
      chunks,
      inputs: Object.keys(result.metafile.inputs),
    })
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await buildFunctions()
  for (const r of results) {
    console.log(`${r.name.padEnd(12)} ${(r.bytes / 1024).toFixed(1).padStart(7)} KB  ${r.outfile}`)
    for (const c of r.chunks) {
      console.log(
        `${''.padEnd(12)} ${(c.bytes / 1024).toFixed(1).padStart(7)} KB  ${c.path} (loaded on demand)`
      )
    }
  }
}
