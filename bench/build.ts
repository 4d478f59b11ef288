/**
 * Builds everything the bench spawns into a private temp directory: the three function bundles
 * (through the repository's own esbuild config, so the bench measures exactly what `npm run build`
 * ships, without touching dist/ that tests may be reading) and the two floor fixtures with the same
 * esbuild options. Also sizes each bundle: minified bytes and gzip -9 bytes.
 */
import { build } from 'esbuild'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { buildFunctions, bundleOptions } from '../esbuild.config.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))

export interface BundleInfo {
  name: string
  path: string
  /** Minified bundle size in bytes. */
  bytes: number
  /** zlib gzip level 9 of the bundle, in bytes. */
  gzipBytes: number
  /** Bytes in the output per package or source folder, largest first (from esbuild's metafile). */
  composition?: BundlePart[]
}

export interface BundlePart {
  /** An npm package name ('@bufbuild/protobuf') or a source folder ('shared/pixie'). */
  part: string
  bytes: number
}

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>
}

/** Groups a bundle's bytes by npm package or by top-level source folder (two path segments). */
export function compositionOf(metafile: Metafile): BundlePart[] {
  const parts = new Map<string, number>()
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const inModules = path.lastIndexOf('node_modules/')
      let part: string
      if (inModules >= 0) {
        const segments = path.slice(inModules + 'node_modules/'.length).split('/')
        part = (segments[0]?.startsWith('@') ? segments.slice(0, 2) : segments.slice(0, 1)).join(
          '/'
        )
      } else {
        part = path.split('/').slice(0, 2).join('/')
      }
      parts.set(part, (parts.get(part) ?? 0) + input.bytesInOutput)
    }
  }
  return [...parts]
    .map(([part, bytes]) => ({ part, bytes }))
    .filter((p) => p.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
}

export interface BuiltArtifacts {
  dir: string
  functions: BundleInfo[]
  bareHttp: BundleInfo
  bareHono: BundleInfo
  /** Hono in front of one raw HTTP/2 ExecuteScript call: the floor of the own cost per request. */
  bareProxy: BundleInfo
  /** Removes the temp directory (done on process exit anyway). */
  cleanup: () => void
}

/** Size of a file on disk: raw bytes and gzip level 9 bytes. */
export function sizeOf(name: string, path: string): BundleInfo {
  const content = readFileSync(path)
  return { name, path, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length }
}

async function bundleFixture(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    ...bundleOptions,
    logLevel: 'silent',
  })
}

/** Builds functions and fixtures into a new temp directory. */
export async function buildArtifacts(): Promise<BuiltArtifacts> {
  const dir = mkdtempSync(join(tmpdir(), 'px-canary-bench-'))
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true })
  // Also on exit, e.g. after Ctrl-C, when the caller's finally block never runs.
  process.once('exit', cleanup)
  try {
    const built = await buildFunctions({ outdir: dir, quiet: true })
    const bareHttpPath = join(dir, 'bare-http.mjs')
    const bareHonoPath = join(dir, 'bare-hono.mjs')
    const bareProxyPath = join(dir, 'bare-proxy.mjs')
    await bundleFixture(join(benchDir, 'fixtures', 'bare-http.mjs'), bareHttpPath)
    await bundleFixture(join(benchDir, 'fixtures', 'bare-hono.ts'), bareHonoPath)
    await bundleFixture(join(benchDir, 'fixtures', 'bare-proxy.ts'), bareProxyPath)
    return {
      dir,
      functions: built.map((f) => {
        const meta = JSON.parse(readFileSync(join(dir, `${f.name}.meta.json`), 'utf8')) as Metafile
        return { ...sizeOf(f.name, f.outfile), composition: compositionOf(meta) }
      }),
      bareHttp: sizeOf('floor: node:http', bareHttpPath),
      bareHono: sizeOf('bare Hono', bareHonoPath),
      bareProxy: sizeOf('bare Hono + raw HTTP/2 call', bareProxyPath),
      cleanup,
    }
  } catch (err) {
    cleanup()
    throw err
  }
}
