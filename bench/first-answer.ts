/**
 * An experiment, not part of `npm run bench`: where a function's time to its first metric answer
 * goes, step by step, beside the node:http floor in the same rounds.
 *
 *   node --import tsx bench/first-answer.ts   # FIRST_NODE=<node>, FIRST_RUNS, FIRST_FUNCTION
 *
 * The function runs with bench/fixtures/first-answer-marks.mjs preloaded, which timestamps (in
 * the function's own clock) the end of the preload, listening, the HTTP/2 connection to Vizier,
 * the first metric request's arrival, the query sent, the query's trailers and the answer. The
 * bench's simulator also reports its engine time for that query (reading the synthetic table and
 * executing the PxL). On Node 22 and later the bundle runs with a compile cache primed as
 * knative/Dockerfile primes it. Each round runs the floor and the function once, in alternating
 * order after one warm-up round; the output shows medians.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildArtifacts } from './build'
import { childEnv, runColdStartRounds } from './cold-start'
import { nodeMajor, primeCompileCache } from './compile-cache'
import { getFresh, isMetricAnswer, isOk } from './http-probe'
import { METRIC_PATH } from './queries'
import { benchScenario } from './scenario'
import { startSimulatorHost, type SimulatorHandle } from './simulator-client'
import { median } from './stats'
import { freePort, isRunning, spawnTracked, stopAll, stopProcess } from '../test/helpers/spawn'
import { runStandalone } from './standalone'

const marksPreload = join(
  dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'first-answer-marks.mjs'
)

type Marks = Record<string, number>

interface Run {
  totalMs: number
  marks: Marks
  engineMs: number | null
  rowsScanned: number | null
}

/** The steps reported, each from one mark to the next. */
const STEPS: [string, string, string][] = [
  ['start', 'preloaded', 'Node start-up, and the preload loading node:http and node:http2'],
  ['preloaded', 'listening', 'the bundle: load, evaluate, serveMetric, listen'],
  ['listening', 'requestReceived', 'until the first probe arrives'],
  ['requestReceived', 'querySent', 'first request: routing, parameters, PxL call'],
  ['querySent', 'queryDone', 'waiting on Vizier (the simulator) for the query'],
  ['queryDone', 'answered', 'decoding, figures, JSON answer'],
]

async function runOnce(
  node: string,
  entry: string,
  env: Record<string, string>,
  sim: SimulatorHandle
): Promise<Run> {
  await sim.resetStats()
  const port = await freePort()
  let stderr = ''
  const started = performance.now()
  const child = spawnTracked(node, ['--import', marksPreload, entry], {
    env: childEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  try {
    for (;;) {
      if (!isRunning(child)) throw new Error(`the function exited: ${stderr.slice(-400)}`)
      if (performance.now() - started > 15_000) throw new Error('no metric answer within 15 s')
      const answered = await getFresh(port, METRIC_PATH, 5000).then(isMetricAnswer, () => false)
      if (answered) break
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    const totalMs = performance.now() - started
    // The preload writes its line as the answer finishes; the pipe may deliver it a little later.
    for (let i = 0; i < 200 && !stderr.includes('{"marks"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const line = stderr.split('\n').find((l) => l.startsWith('{"marks"'))
    if (!line) throw new Error('the preload wrote no marks')
    const marks = (JSON.parse(line) as { marks: Marks }).marks
    const records = await sim.records(0)
    return {
      totalMs,
      marks: { start: 0, ...marks },
      engineMs: records[0]?.engineMs ?? null,
      rowsScanned: records[0]?.rowsScanned ?? null,
    }
  } finally {
    await stopProcess(child, 3000)
  }
}

async function main(): Promise<void> {
  const node = process.env.FIRST_NODE ?? process.execPath
  const runs = Number(process.env.FIRST_RUNS ?? 15)
  const fn = process.env.FIRST_FUNCTION ?? 'latency'
  const dir = mkdtempSync(join(tmpdir(), 'px-canary-first-answer-'))
  const built = await buildArtifacts()
  const sim = await startSimulatorHost(benchScenario, 1)
  try {
    const entry = built.functions.find((f) => f.name === fn)?.path
    if (!entry) throw new Error(`no function ${fn}`)
    const env: Record<string, string> = { PX_DIRECT_ADDR: sim.address }
    const withCache = (nodeMajor(node) ?? 0) >= 22
    if (withCache) {
      const cacheDir = join(dir, 'compile-cache')
      mkdirSync(cacheDir)
      await primeCompileCache(node, entry, cacheDir)
      env.NODE_COMPILE_CACHE = cacheDir
    }
    const floorTarget = { name: 'floor', entry: built.bareHttp.path, node, path: '/', accept: isOk }
    const measureFloor = async (): Promise<number> => {
      const samples = await runColdStartRounds([floorTarget], { runs: 1, warmups: 0, seed: 1 })
      return samples.get('floor')![0]!.ms
    }
    const floorMs: number[] = []
    const fnRuns: Run[] = []
    for (let round = 0; round <= runs; round++) {
      let floor: number
      let run: Run
      if (round % 2 === 0) {
        floor = await measureFloor()
        run = await runOnce(node, entry, env, sim)
      } else {
        run = await runOnce(node, entry, env, sim)
        floor = await measureFloor()
      }
      if (round === 0) continue // warm-up round
      floorMs.push(floor)
      fnRuns.push(run)
    }
    const since = (from: string, to: string): number =>
      median(fnRuns.map((r) => (r.marks[to] ?? NaN) - (r.marks[from] ?? NaN)))
    const floor = median(floorMs)
    const total = median(fnRuns.map((r) => r.totalMs))
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    console.log(
      `${fn} on node ${node}${withCache ? ' with its compile cache' : ''}; ${runs} rounds; load average ${load}`
    )
    console.log(`floor (node:http, no preload), spawn to answer: ${floor.toFixed(1)} ms`)
    console.log(
      `${fn} with the marks preload, spawn to first metric answer: ${total.toFixed(1)} ms (${(total / floor).toFixed(2)} x floor)`
    )
    console.log('steps, medians in the function clock:')
    for (const [from, to, what] of STEPS) {
      console.log(`  ${since(from, to).toFixed(1).padStart(6)} ms  ${what}`)
    }
    const spawnGap = median(fnRuns.map((r) => r.totalMs - (r.marks.answered ?? NaN)))
    console.log(
      `  ${spawnGap.toFixed(1).padStart(6)} ms  spawn to the time origin, and the answer's way back`
    )
    const engine = fnRuns.map((r) => r.engineMs).filter((ms): ms is number => ms !== null)
    const rows = fnRuns.map((r) => r.rowsScanned).filter((n): n is number => n !== null)
    if (engine.length > 0) {
      console.log(
        `the simulator's engine time for that query (part of the wait): ${median(engine).toFixed(1)} ms, ${median(rows)} rows scanned`
      )
    }
    console.log(
      `HTTP/2 connection to Vizier: started ${since('listening', 'pixieConnectStarted').toFixed(1)} ms after the listening event (negative: before it), ` +
        `connected in ${since('pixieConnectStarted', 'pixieConnected').toFixed(1)} ms, ` +
        `${since('pixieConnected', 'querySent').toFixed(1)} ms before the query was sent (negative: after)`
    )
  } finally {
    await sim.close()
    await stopAll()
    built.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
}

runStandalone('first-answer', main)
