/**
 * `npm run bench:profile`: CPU profiles of a function bundle against the Vizier simulator, and a
 * summary of where the time goes. Two profiles per function, each from its own process started
 * with `node --cpu-prof`:
 * - start-up: spawn to the first metric answer (module evaluation, listen, the first HTTP/2
 *   connection and PxL query), the figure the cold-start goal is about;
 * - request path: distinct metric requests one after another over one keep-alive connection, only
 *   the samples of that phase (the profile is cut by time), so start-up does not blur it.
 * The bundles are built with the production esbuild options plus a source map (into the output
 * folder, beside the profiles), so the summary can name source files and npm packages. The .cpuprofile files open in Chrome DevTools (Performance).
 */
import { build } from 'esbuild'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { SourceMapPayload } from 'node:module'
import { bundleOptions, functionNames } from '../esbuild.config.mjs'
import { childEnv } from './cold-start'
import { getFresh, isMetricAnswer } from './http-probe'
import {
  freePort,
  installExitCleanup,
  isRunning,
  spawnTracked,
  stopAll,
  waitForExit,
} from '../test/helpers/spawn'
import { positiveNumber } from './options'
import { replayCalls } from './overhead'
import {
  moduleExcess,
  renderSummary,
  summarizeProfile,
  type CpuProfile,
  type ProfileSummary,
} from './profile-summary'
import { METRIC_PATH, taggedPath } from './queries'
import { benchScenario } from './scenario'
import { startSimulatorHost } from './simulator-client'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function log(message: string): void {
  process.stderr.write(`profile: ${message}\n`)
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n)

interface Options {
  node: string
  functions: string[]
  requests: number
  out: string
  top: number
  /** Also profile the own-cost floor fixture's request path, and subtract it. */
  floor: boolean
  /** The simulator's traffic multiplier (the bench's scaling phase uses 1, 10 and 100). */
  multiplier: number
}

function options(env: NodeJS.ProcessEnv): Options {
  const all = functionNames()
  const functions = env.PROFILE_FUNCTIONS ? env.PROFILE_FUNCTIONS.split(',') : all
  for (const f of functions) if (!all.includes(f)) throw new Error(`unknown function ${f}`)
  const requests = Number(env.PROFILE_REQUESTS ?? 2000)
  if (!Number.isInteger(requests) || requests < 1) throw new Error('PROFILE_REQUESTS: integer >= 1')
  return {
    node: env.PROFILE_NODE || process.execPath,
    functions,
    requests,
    out: resolve(env.PROFILE_OUT || join(root, 'bench', 'results', 'profiles')),
    top: Number(env.PROFILE_TOP ?? 15),
    floor: env.PROFILE_FLOOR !== '0',
    multiplier: positiveNumber(env.PROFILE_MULTIPLIER, 'PROFILE_MULTIPLIER') ?? 1,
  }
}

/** GET over a kept-alive connection; resolves with the status code. */
function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => {
      res.resume()
      res.on('end', () => done(res.statusCode ?? 0))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 10 s`)))
    req.on('error', fail)
    req.end()
  })
}

/** Spawns a bundle under --cpu-prof and waits for its first metric answer (bounded). */
async function startProfiled(
  o: Options,
  entry: string,
  dir: string,
  name: string,
  simAddress: string,
  env: Record<string, string> = {}
) {
  const port = await freePort()
  const started = performance.now()
  const child = spawnTracked(
    o.node,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      '--cpu-prof-name',
      name,
      '--cpu-prof-interval',
      '100',
      entry,
    ],
    { env: childEnv({ ...env, PX_DIRECT_ADDR: simAddress, PORT: String(port) }), stdio: 'ignore' }
  )
  for (;;) {
    if (!isRunning(child)) throw new Error(`${entry} exited before answering`)
    if (performance.now() - started > 15_000) throw new Error(`${entry}: no metric answer in 15 s`)
    const answer = await getFresh(port, METRIC_PATH, 5000).catch(() => undefined)
    if (answer && isMetricAnswer(answer)) return { child, port, ms: performance.now() - started }
    await new Promise((r) => setTimeout(r, 1))
  }
}

/** SIGTERM, and wait for the normal exit at which Node writes the profile. */
async function stopForProfile(child: ReturnType<typeof spawnTracked>): Promise<void> {
  child.kill('SIGTERM')
  if (!(await waitForExit(child, 10_000))) {
    child.kill('SIGKILL')
    throw new Error('the function did not exit on SIGTERM, so no profile was written')
  }
}

/** CPU outside idle and (program), per request, in microseconds. */
function busyUsPerRequest(s: ProfileSummary, requests: number): number {
  const busyMs = s.modules
    .filter((m) => m.name !== '(idle)' && m.name !== '(program)')
    .reduce((a, m) => a + m.ms, 0)
  return (1000 * busyMs) / requests
}

async function main(): Promise<void> {
  const o = options(process.env)
  installExitCleanup()
  mkdirSync(o.out, { recursive: true })
  const report: string[] = []
  try {
    const sim = await startSimulatorHost(benchScenario, o.multiplier)
    const version = (await import('node:child_process'))
      .execFileSync(o.node, ['--version'], { encoding: 'utf8' })
      .trim()
    report.push(
      `node ${version}; traffic x${o.multiplier}; load average ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`
    )

    /** Bundles `source` next to its profiles, so the source map stays with them. */
    const bundle = async (name: string, source: string) => {
      const entry = join(o.out, `${name}.mjs`)
      await build({
        ...bundleOptions,
        entryPoints: [source],
        outfile: entry,
        sourcemap: true,
        logLevel: 'warning',
      })
      const maps = new Map<string, SourceMapPayload>([
        [
          pathToFileURL(entry).href,
          JSON.parse(readFileSync(`${entry}.map`, 'utf8')) as SourceMapPayload,
        ],
      ])
      const summarize = (file: string, window?: { fromUs: number; toUs: number }) =>
        summarizeProfile(JSON.parse(readFileSync(join(o.out, file), 'utf8')) as CpuProfile, {
          sourceMaps: maps,
          repoRoot: root,
          ...(window ? { window } : {}),
        })
      return { entry, summarize }
    }

    /** The request-path profile: 50 unrecorded requests, then o.requests distinct ones. */
    const requestPath = async (
      name: string,
      built: Awaited<ReturnType<typeof bundle>>,
      env: Record<string, string> = {}
    ) => {
      log(`${name}: ${o.requests} requests`)
      const file = `${name}-requests.cpuprofile`
      const run = await startProfiled(o, built.entry, o.out, file, sim.address, env)
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      for (let i = 0; i < 50; i++) await get(agent, run.port, taggedPath(`w${i}`))
      const fromUs = nowUs()
      const t0 = performance.now()
      for (let i = 0; i < o.requests; i++) {
        const status = await get(agent, run.port, taggedPath(String(i)))
        if (status !== 200) throw new Error(`${name}: request ${i} answered ${status}`)
      }
      const wallMs = performance.now() - t0
      const toUs = nowUs()
      agent.destroy()
      await stopForProfile(run.child)
      return { summary: built.summarize(file, { fromUs, toUs }), wallMs }
    }

    const paths: Array<{ fn: string; summary: ProfileSummary }> = []
    for (const fn of o.functions) {
      const built = await bundle(fn, join(root, 'functions', fn, 'index.ts'))

      log(`${fn}: start-up`)
      const startupFile = `${fn}-startup.cpuprofile`
      const first = await startProfiled(o, built.entry, o.out, startupFile, sim.address)
      await stopForProfile(first.child)
      report.push(
        renderSummary(
          `${fn} start-up (spawn to first metric answer ${first.ms.toFixed(0)} ms, under the profiler)`,
          built.summarize(startupFile),
          o.top
        )
      )

      const { summary, wallMs } = await requestPath(fn, built)
      paths.push({ fn, summary })
      report.push(
        renderSummary(
          `${fn} request path (${o.requests} distinct requests in ${wallMs.toFixed(0)} ms; the function's CPU outside idle: ${busyUsPerRequest(summary, o.requests).toFixed(0)} us per request)`,
          summary,
          o.top
        )
      )
    }

    if (o.floor) {
      // The own-cost floor of `npm run bench` (bench/fixtures/bare-proxy.ts), replaying the calls
      // the functions just made, each retagged as a fresh query as the bench does: what any
      // function on this stack does per request. The difference is px-canary's own work.
      const callsFile = join(o.out, 'floor-calls.json')
      writeFileSync(callsFile, JSON.stringify(replayCalls(await sim.records(200))))
      const built = await bundle('floor', join(root, 'bench', 'fixtures', 'bare-proxy.ts'))
      const { summary, wallMs } = await requestPath('floor', built, { PROXY_CALLS: callsFile })
      const floorUs = busyUsPerRequest(summary, o.requests)
      report.push(
        renderSummary(
          `floor (bench/fixtures/bare-proxy.ts) request path (${o.requests} requests in ${wallMs.toFixed(0)} ms; CPU outside idle: ${floorUs.toFixed(0)} us per request)`,
          summary,
          o.top
        )
      )
      for (const { fn, summary: s } of paths) {
        const excess = moduleExcess(s, o.requests, summary, o.requests)
        report.push(
          [
            `${fn} minus the floor, self time per request by module (CPU outside idle: ${(busyUsPerRequest(s, o.requests) - floorUs).toFixed(0)} us more):`,
            ...excess
              .slice(0, o.top)
              .map((m) => `  ${(1000 * m.ms).toFixed(1).padStart(8)} us  ${m.name}`),
          ].join('\n')
        )
      }
    }
    const text = report.join('\n\n')
    writeFileSync(join(o.out, 'summary.txt'), `${text}\n`)
    process.stdout.write(`${text}\n\nprofiles and summary.txt in ${o.out}\n`)
  } finally {
    await stopAll()
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`profile failed: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
)
