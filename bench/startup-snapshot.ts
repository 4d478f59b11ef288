/**
 * An experiment, not part of `npm run bench`: would a V8 startup snapshot of a function shorten
 * its cold start on the image's Node? `node --build-snapshot entry.cjs` runs a single CommonJS
 * script and saves the heap; `node --snapshot-blob blob` then starts from that heap and runs
 * the function registered with `v8.startupSnapshot.setDeserializeMainFunction()` (Node's
 * documentation, "Startup snapshot API" in v8.md and the `--build-snapshot` option in cli.md).
 *
 *   SNAPSHOT_NODE=<node 24> node --import tsx bench/startup-snapshot.ts   # SNAPSHOT_RUNS, SNAPSHOT_FUNCTION
 *
 * What the snapshot may hold decides how it is built. Node 24.22.3 refuses to write a snapshot
 * holding a loaded `node:http` or `node:http2` ("global handle not serialized": their native
 * bindings), and `@hono/node-server` reads `global.Request`, `Response` and `Headers` at module
 * scope, which loads Node's bundled undici and, through it, `node:http` and `node:http2`. So the
 * snapshot entry built here is the function's own code with two changes, both only for this
 * experiment:
 * - `@hono/node-server` is reached through a `require()` that esbuild turns into a lazily
 *   evaluated module, first evaluated when `serveMetric` runs after deserialisation;
 * - while the snapshot is being built, `require()` of a network or crypto builtin returns a
 *   stand-in that loads the real module on its first property read (after deserialisation: the
 *   bundle reads them only inside functions).
 * Everything else (the PxL library, zod schemas, the Vizier encoders, Hono, the metric
 * definition) is evaluated at build time and lives in the snapshot. Node Snapshot builds below
 * Node 22 cannot load `node:http` at all (bench/README.md), so this runs on the image's Node.
 *
 * It then runs the node:http floor, the ES module bundle with its compile cache (what the image
 * runs) and the snapshot in the bench's cold-start rounds (random order per round, medians).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build as esbuild, type Plugin } from 'esbuild'
import { bundleOptions } from '../esbuild.config.mjs'
import { buildArtifacts } from './build'
import { runColdStartRounds, type ColdStartTarget } from './cold-start'
import { filesUnder, nodeMajor, primeCompileCache } from './compile-cache'
import { isMetricAnswer, isOk } from './http-probe'
import { METRIC_PATH } from './queries'
import { benchScenario } from './scenario'
import { startSimulatorHost } from './simulator-client'
import { median } from './stats'
import { stopAll } from '../test/helpers/spawn'
import { runStandalone } from './standalone'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Builtins whose loading the snapshot cannot hold, or that are only used per request. */
const DEFERRED_BUILTINS = [
  'node:http',
  'node:http2',
  'node:tls',
  'node:crypto',
  'node:fs',
  'node:stream',
]

/**
 * Wraps the CommonJS bundle: inside, `require` of a deferred builtin returns a stand-in while the
 * snapshot is being built. esbuild's CommonJS output reads imported names as properties of the
 * required module at their use (`import_node_http.createServer`), so a stand-in that forwards
 * every property read to the real module is enough.
 */
const BANNER = `(function (nodeRequire) {
const deferred = new Set(${JSON.stringify(DEFERRED_BUILTINS)})
const building = nodeRequire('node:v8').startupSnapshot.isBuildingSnapshot()
const require = (id) => {
  if (!building || !deferred.has(id)) return nodeRequire(id)
  let loaded
  const real = () => (loaded ??= nodeRequire(id))
  return new Proxy({}, {
    get: (_target, key) => real()[key],
    has: (_target, key) => key in real(),
  })
}`
const FOOTER = '})(require);'

/** The snapshot entry: the function's definition, served after deserialisation. */
function entrySource(fn: string): string {
  return `import { startupSnapshot } from 'node:v8'
import { serveMetric } from './shared/serve'
import * as metric from './functions/${fn}/metric'
const definition = Object.values(metric).find((d) => d && d.name === ${JSON.stringify(fn)})
if (!definition) throw new Error('no metric definition named ${fn}')
if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(() => serveMetric(definition))
else serveMetric(definition)
`
}

/** `@hono/node-server` through require(): esbuild evaluates it on first use, not at load. */
const lazyNodeServer: Plugin = {
  name: 'lazy-node-server',
  setup(build) {
    build.onResolve({ filter: /^@hono\/node-server$/ }, (args) =>
      args.pluginData === 'real' ? undefined : { path: 'lazy-node-server', namespace: 'lazy' }
    )
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents:
        "export function getRequestListener(...args) { return require('@hono/node-server').getRequestListener(...args) }",
      resolveDir: root,
      loader: 'js',
      pluginData: 'real',
    }))
  },
}

async function buildSnapshot(node: string, fn: string, dir: string): Promise<string> {
  const script = join(dir, 'snapshot-entry.cjs')
  await esbuild({
    ...bundleOptions,
    format: 'cjs',
    stdin: { contents: entrySource(fn), resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    outfile: script,
    plugins: [lazyNodeServer],
    banner: { js: BANNER },
    footer: { js: FOOTER },
    logLevel: 'error',
  })
  const blob = join(dir, 'snapshot.blob')
  const r = spawnSync(node, ['--snapshot-blob', blob, '--build-snapshot', script], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  if (r.status !== 0 || !existsSync(blob)) {
    throw new Error(
      `--build-snapshot failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(0, 600)}`
    )
  }
  return blob
}

async function main(): Promise<void> {
  const node = process.env.SNAPSHOT_NODE ?? process.env.BENCH_IMAGE_NODE ?? process.execPath
  const runs = Number(process.env.SNAPSHOT_RUNS ?? 15)
  const fn = process.env.SNAPSHOT_FUNCTION ?? 'latency'
  const major = nodeMajor(node) ?? 0
  if (major < 22) throw new Error(`${node} is Node ${major}: the snapshot needs Node 22 or later`)
  const dir = mkdtempSync(join(tmpdir(), 'px-canary-snapshot-'))
  const built = await buildArtifacts()
  const sim = await startSimulatorHost(benchScenario, 1)
  try {
    const blob = await buildSnapshot(node, fn, dir)
    const esm = built.functions.find((f) => f.name === fn)?.path
    if (!esm) throw new Error(`no function ${fn}`)
    const cacheDir = join(dir, 'compile-cache')
    mkdirSync(cacheDir)
    await primeCompileCache(node, esm, cacheDir)
    const cacheBytes = filesUnder(cacheDir).reduce((n, f) => n + statSync(f).size, 0)
    const env = { PX_DIRECT_ADDR: sim.address }
    const targets: ColdStartTarget[] = [
      { name: 'floor', entry: built.bareHttp.path, node, path: '/', accept: isOk },
      {
        name: `${fn}, ES module + NODE_COMPILE_CACHE (the image)`,
        entry: esm,
        node,
        path: METRIC_PATH,
        env: { ...env, NODE_COMPILE_CACHE: cacheDir },
        accept: isMetricAnswer,
      },
      {
        // With --snapshot-blob and no --build-snapshot, the entry argument is only argv[1].
        name: `${fn}, startup snapshot`,
        entry: 'snapshot',
        nodeArgs: ['--snapshot-blob', blob],
        node,
        path: METRIC_PATH,
        env,
        accept: isMetricAnswer,
      },
    ]
    const samples = await runColdStartRounds(targets, { runs, warmups: 1, seed: Date.now() })
    const floor = median(samples.get('floor')!.map((s) => s.ms))
    const floorRss = median(samples.get('floor')!.map((s) => s.rssBytes ?? 0))
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    console.log(`node ${node}; ${runs} rounds; load average ${load}`)
    console.log(
      `snapshot blob ${(statSync(blob).size / 2 ** 20).toFixed(1)} MB; compile cache ${(cacheBytes / 1024).toFixed(0)} KB`
    )
    for (const t of targets) {
      const ms = median(samples.get(t.name)!.map((s) => s.ms))
      const rss = median(samples.get(t.name)!.map((s) => s.rssBytes ?? 0))
      console.log(
        `${t.name.padEnd(48)} ${ms.toFixed(1).padStart(7)} ms ${(ms / floor).toFixed(3)} x floor  RSS ${((rss - floorRss) / 2 ** 20).toFixed(1).padStart(5)} MB over floor`
      )
    }
  } finally {
    await sim.close()
    await stopAll()
    built.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
}

runStandalone('startup-snapshot', main)
