/**
 * An experiment, not part of `npm run bench`: would a V8 code cache made after the first answer
 * shorten the cold start on the image's Node? `NODE_COMPILE_CACHE` (what the image uses) stores
 * the code V8 compiled when the bundle was loaded, which leaves out every function first called
 * by a request: V8 compiles those lazily, during the first request. `vm.Script#createCachedData()`
 * called after an answer includes them (Node's vm documentation, "script.createCachedData()").
 *
 *   node --import tsx bench/vm-code-cache.ts    # VMCACHE_NODE=<node>, VMCACHE_RUNS, VMCACHE_FUNCTION
 *
 * It builds the function as one CommonJS file (app.cjs, jose included) beside a 12-line loader
 * that runs it through `vm.Script`; primes that loader's cache with one metric answer from the
 * simulator, then SIGTERM (the loader writes `createCachedData()` then); primes the usual compile
 * cache for the ES module bundle as knative/Dockerfile does; checks that V8 accepts the vm cache;
 * and runs the node:http floor, the ES module bundle with its compile cache and the loader with
 * its cache in the bench's cold-start rounds (random order per round, medians).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build as esbuild } from 'esbuild'
import { bundleOptions } from '../esbuild.config.mjs'
import { buildArtifacts } from './build'
import { childEnv, runColdStartRounds, type ColdStartTarget } from './cold-start'
import { filesUnder, nodeMajor, primeCompileCache } from './compile-cache'
import { getFresh, isMetricAnswer, isOk } from './http-probe'
import { METRIC_PATH } from './queries'
import { benchScenario } from './scenario'
import { startSimulatorHost } from './simulator-client'
import { median } from './stats'
import { freePort, isRunning, spawnTracked, stopAll, stopProcess } from '../test/helpers/spawn'
import { runStandalone } from './standalone'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const LOADER = `const { existsSync, readFileSync, writeFileSync } = require('node:fs')
const { Script } = require('node:vm')
const { join } = require('node:path')
const file = join(__dirname, 'app.cjs')
const cacheFile = join(__dirname, 'app.vmcache')
const prime = process.env.VMCACHE_PRIME === '1'
const cachedData = !prime && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
const wrapped = '(function (exports, require, module, __filename, __dirname) {' + readFileSync(file, 'utf8') + '\\n})'
const script = new Script(wrapped, { filename: file, cachedData })
if (process.env.VMCACHE_REPORT) writeFileSync(process.env.VMCACHE_REPORT, String(script.cachedDataRejected))
if (prime) process.prependListener('SIGTERM', () => writeFileSync(cacheFile, script.createCachedData()))
const m = { exports: {} }
script.runInThisContext()(m.exports, require, m, file, __dirname)
`

/** Runs the loader until its first metric answer, then SIGTERM: the cache is written then. */
async function primeVmCache(node: string, loader: string, address: string): Promise<void> {
  const port = await freePort()
  const child = spawnTracked(node, [loader], {
    env: childEnv({ VMCACHE_PRIME: '1', PX_DIRECT_ADDR: address, PORT: String(port) }),
    stdio: 'ignore',
  })
  const deadline = performance.now() + 15_000
  try {
    for (;;) {
      if (!isRunning(child)) throw new Error('the loader exited before answering')
      if (performance.now() > deadline) throw new Error('no metric answer within 15 s')
      const answered = await getFresh(port, METRIC_PATH, 5_000).then(isMetricAnswer, () => false)
      if (answered) break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    await stopProcess(child, 3000)
  }
}

/** Starts the loader once with its cache and reads whether V8 rejected it. */
async function cacheRejected(node: string, loader: string, dir: string): Promise<string> {
  const report = join(dir, 'rejected.txt')
  const port = await freePort()
  const child = spawnTracked(node, [loader], {
    env: childEnv({ VMCACHE_REPORT: report, PX_DIRECT_ADDR: '127.0.0.1:9', PORT: String(port) }),
    stdio: 'ignore',
  })
  try {
    for (let i = 0; i < 3000 && !existsSync(report); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    await stopProcess(child, 3000)
  }
  return existsSync(report) ? readFileSync(report, 'utf8') : 'unknown'
}

async function main(): Promise<void> {
  const node = process.env.VMCACHE_NODE ?? process.env.BENCH_IMAGE_NODE ?? process.execPath
  const runs = Number(process.env.VMCACHE_RUNS ?? 15)
  const fn = process.env.VMCACHE_FUNCTION ?? 'latency'
  const dir = mkdtempSync(join(tmpdir(), 'px-canary-vmcache-'))
  const built = await buildArtifacts()
  const sim = await startSimulatorHost(benchScenario, 1)
  try {
    await esbuild({
      ...bundleOptions,
      format: 'cjs',
      entryPoints: [join(root, 'functions', fn, 'index.ts')],
      outfile: join(dir, 'app.cjs'),
      logLevel: 'error',
    })
    const loader = join(dir, 'loader.cjs')
    writeFileSync(loader, LOADER)
    const esm = built.functions.find((f) => f.name === fn)?.path
    if (!esm) throw new Error(`no function ${fn}`)
    // Node 20 has no NODE_COMPILE_CACHE: its ES module bundle runs without one.
    const withCompileCache = (nodeMajor(node) ?? 0) >= 22
    const cacheDir = join(dir, 'compile-cache')
    mkdirSync(cacheDir)
    if (withCompileCache) await primeCompileCache(node, esm, cacheDir)
    await primeVmCache(node, loader, sim.address)
    const rejected = await cacheRejected(node, loader, dir)
    const compileCacheBytes = filesUnder(cacheDir).reduce((n, f) => n + statSync(f).size, 0)
    const vmCacheBytes = statSync(join(dir, 'app.vmcache')).size
    const env = { PX_DIRECT_ADDR: sim.address }
    const targets: ColdStartTarget[] = [
      { name: 'floor', entry: built.bareHttp.path, node, path: '/', accept: isOk },
      {
        name: withCompileCache
          ? `${fn}, ES module + NODE_COMPILE_CACHE (the image)`
          : `${fn}, ES module (no compile cache before Node 22)`,
        entry: esm,
        node,
        path: METRIC_PATH,
        env: withCompileCache ? { ...env, NODE_COMPILE_CACHE: cacheDir } : env,
        accept: isMetricAnswer,
      },
      {
        name: `${fn}, vm.Script + cache made after an answer`,
        entry: loader,
        node,
        path: METRIC_PATH,
        env,
        accept: isMetricAnswer,
      },
    ]
    const samples = await runColdStartRounds(targets, { runs, warmups: 1, seed: Date.now() })
    const floor = median(samples.get('floor')!.map((s) => s.ms))
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    console.log(`node ${node}; ${runs} rounds; load average ${load}`)
    console.log(
      `compile cache ${(compileCacheBytes / 1024).toFixed(0)} KB; vm cache ${(vmCacheBytes / 1024).toFixed(0)} KB, rejected by V8: ${rejected}`
    )
    for (const t of targets) {
      const ms = median(samples.get(t.name)!.map((s) => s.ms))
      console.log(
        `${t.name.padEnd(58)} ${ms.toFixed(1).padStart(7)} ms ${(ms / floor).toFixed(3)} x floor`
      )
    }
  } finally {
    await sim.close()
    await stopAll()
    built.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
}

runStandalone('vm-code-cache', main)
