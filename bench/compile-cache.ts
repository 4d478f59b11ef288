/**
 * The phase on the production image's Node (knative/Dockerfile; 22+ can reuse V8 code caches
 * across processes with NODE_COMPILE_CACHE, and the image does). This phase measures
 * what the image does: it fills a cache the way the Dockerfile does at build time (start the
 * bundle with no Pixie reachable, wait until it listens, SIGTERM; Node writes the cache as the
 * process exits normally), then measures cold starts on that Node binary with the cache off and
 * on, interleaved in random rounds with a bare node:http floor on the same binary.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  childEnv,
  runColdStartRounds,
  type ColdStartSample,
  type ColdStartTarget,
} from './cold-start'
import { getFresh, isMetricAnswer, isOk } from './http-probe'
import { freePort, isRunning, spawnTracked, stopProcess } from '../test/helpers/spawn'
import { METRIC_PATH } from './queries'

/** Target names of the phase, for one function. */
export const cacheTargetNames = (fn: string) => ({
  off: `${fn} (image node)`,
  on: `${fn} (image node + cache)`,
})
export const IMAGE_NODE_FLOOR = 'floor: node:http (image node)'

/** The major version of a node binary, or undefined when it does not run. */
export function nodeMajor(node: string): number | undefined {
  const r = spawnSync(node, ['--version'], { encoding: 'utf8', timeout: 10_000 })
  const match = /^v(\d+)\./.exec(r.stdout ?? '')
  return r.status === 0 && match ? Number(match[1]) : undefined
}

/** `node --version` of a node binary (empty when it does not run). */
export function nodeVersion(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8', timeout: 10_000 }).stdout?.trim() ?? ''
}

/** Every file under `dir`, recursively (the cache keeps one sub-directory per Node/uid tag). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
}

/**
 * Fills `cacheDir` for `entry` as the Dockerfile does: PX_DIRECT_ADDR points where no Pixie
 * listens (the function does not query at start), GET /health/readiness until 200, then SIGTERM
 * so the process exits normally and Node writes the cache. Rejects when the bundle does not
 * become ready within `deadlineMs`, or when no cache file appears (e.g. a Node without
 * NODE_COMPILE_CACHE, or a process killed before it could write).
 */
export async function primeCompileCache(
  node: string,
  entry: string,
  cacheDir: string,
  deadlineMs = 15_000
): Promise<void> {
  const before = filesUnder(cacheDir).length
  const port = await freePort()
  const child = spawnTracked(node, [entry], {
    env: childEnv({
      NODE_COMPILE_CACHE: cacheDir,
      PX_DIRECT_ADDR: '127.0.0.1:9',
      PORT: String(port),
    }),
    stdio: 'ignore',
  })
  const started = performance.now()
  try {
    for (;;) {
      if (!isRunning(child)) throw new Error(`${entry} exited before it was ready`)
      const remaining = deadlineMs - (performance.now() - started)
      if (remaining <= 0) throw new Error(`${entry} not ready within ${deadlineMs} ms`)
      const ok = await getFresh(port, '/health/readiness', Math.max(1, remaining)).then(
        (r) => r.status === 200,
        () => false
      )
      if (ok) break
      await sleep(5)
    }
  } finally {
    await stopProcess(child, 3000)
  }
  if (filesUnder(cacheDir).length <= before) {
    throw new Error(`the compile cache stayed empty after running ${entry} (is ${node} Node 22+?)`)
  }
}

export interface CompileCacheOutcome {
  /** The Node binary measured, and its `--version`. */
  node: string
  nodeVersion: string
  samples: Map<string, ColdStartSample[]>
  functions: string[]
  /** Bytes of all cache files written for the functions. */
  cacheBytes: number
}

export interface CompileCacheOptions {
  runs: number
  warmups: number
  seed: number
  onSample?: () => void
}

/**
 * Primes a private cache for every function, then runs the floor and every function with the
 * cache off and on, interleaved in random rounds, on `node`. The cache directory is removed after.
 */
export async function measureCompileCache(
  node: string,
  functions: readonly { name: string; path: string }[],
  floorEntry: string,
  simAddress: string,
  o: CompileCacheOptions
): Promise<CompileCacheOutcome> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'px-canary-bench-cc-'))
  try {
    for (const f of functions) await primeCompileCache(node, f.path, cacheDir)
    const cacheBytes = filesUnder(cacheDir).reduce((sum, file) => sum + statSync(file).size, 0)
    const targets: ColdStartTarget[] = [
      { name: IMAGE_NODE_FLOOR, node, entry: floorEntry, path: '/', accept: isOk },
    ]
    for (const f of functions) {
      const names = cacheTargetNames(f.name)
      const base = { node, entry: f.path, path: METRIC_PATH, accept: isMetricAnswer }
      targets.push({ ...base, name: names.off, env: { PX_DIRECT_ADDR: simAddress } })
      targets.push({
        ...base,
        name: names.on,
        env: { PX_DIRECT_ADDR: simAddress, NODE_COMPILE_CACHE: cacheDir },
      })
    }
    const samples = await runColdStartRounds(targets, {
      runs: o.runs,
      warmups: o.warmups,
      seed: o.seed,
      ...(o.onSample ? { onSample: o.onSample } : {}),
    })
    return {
      node,
      nodeVersion: nodeVersion(node),
      samples,
      functions: functions.map((f) => f.name),
      cacheBytes,
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true })
  }
}
