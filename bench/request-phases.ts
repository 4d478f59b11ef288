/**
 * An experiment, not part of `npm run bench`: where a request's own cost goes inside the serving
 * process, phase by phase, for a function and for the own-cost floor (fixtures/bare-proxy.ts),
 * under the bench's paired job (bench/overhead.ts, concurrency 1) in alternating rounds.
 *
 *   node --import tsx bench/request-phases.ts   # PHASES_NODE, PHASES_FUNCTION, PHASES_ROUNDS, PHASES_SECONDS
 *
 * Both processes run with fixtures/request-phase-marks.mjs preloaded (the same wrappers in both,
 * so its own cost cancels in the difference). The output gives, per process, the median of each
 * phase and of its own time (arrival to answer written, less the query sent to its end), and the
 * function minus the floor, beside the paired own cost of the same job.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildArtifacts } from './build'
import { nodeVersion } from './compile-cache'
import { isMetricAnswer } from './http-probe'
import type { ReplayCall } from './load'
import { positiveNumber } from './options'
import { measureOverhead } from './overhead'
import { PHASES, summarizePhases, type PhaseMarks, type PhaseSummary } from './phase-summary'
import { METRIC_PATH } from './queries'
import { benchScenario } from './scenario'
import { startService, type Service } from './service'
import { startSimulatorHost } from './simulator-client'
import { median } from './stats'
import { runStandalone } from './standalone'

const preload = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'request-phase-marks.mjs')

async function main(): Promise<void> {
  const node = process.env.PHASES_NODE || process.execPath
  const fn = process.env.PHASES_FUNCTION || 'error-rate'
  const rounds = positiveNumber(process.env.PHASES_ROUNDS, 'PHASES_ROUNDS') ?? 2
  const seconds = positiveNumber(process.env.PHASES_SECONDS, 'PHASES_SECONDS') ?? 3
  const built = await buildArtifacts()
  const sim = await startSimulatorHost(benchScenario, 1)
  const services: Service[] = []
  try {
    const f = built.functions.find((b) => b.name === fn)
    if (!f) throw new Error(`PHASES_FUNCTION: no function ${fn}`)
    const marksOut = (name: string): string => join(built.dir, `${name}-marks.json`)
    const marked = (name: string): Record<string, string> => ({
      NODE_OPTIONS: `--import=${preload}`,
      PHASE_MARKS_OUT: marksOut(name),
      PX_DIRECT_ADDR: sim.address,
    })
    const fnService = await startService({
      name: fn,
      node,
      entry: f.path,
      env: marked(fn),
      readyPath: METRIC_PATH,
      accept: isMetricAnswer,
    })
    services.push(fnService)
    let seq = 1
    // A short first job records calls of the function for the floor to replay.
    const primer = await measureOverhead(fnService, sim, {
      concurrency: 1,
      primerMs: 300,
      warmupMs: 300,
      durationMs: 500,
      seqStart: seq,
    })
    seq = primer.nextSeq
    const calls: ReplayCall[] = primer.calls
    const callsFile = join(built.dir, 'phases-calls.json')
    writeFileSync(callsFile, JSON.stringify(calls))
    const floor = await startService({
      name: 'floor',
      node,
      entry: built.bareProxy.path,
      env: { ...marked('floor'), PROXY_CALLS: callsFile },
      readyPath: METRIC_PATH,
      accept: (r) => r.status === 200,
    })
    services.push(floor)
    const paired = new Map<string, number[]>(services.map((s) => [s.name, []]))
    const engine = new Map<string, number[]>(services.map((s) => [s.name, []]))
    for (let round = 0; round < rounds; round++) {
      for (const s of round % 2 ? [...services].reverse() : services) {
        const m = await measureOverhead(s, sim, {
          concurrency: 1,
          primerMs: 300,
          warmupMs: 500,
          durationMs: seconds * 1000,
          seqStart: seq,
          ...(s === floor ? { calls } : {}),
        })
        seq = m.nextSeq
        paired.get(s.name)!.push(...m.vsDirectMs)
        engine.get(s.name)!.push(...m.simulatorMs)
      }
    }
    // The marks are written when each process exits.
    for (const s of services) await s.stop()
    const summaries = new Map<string, PhaseSummary>()
    for (const s of services) {
      const marks = JSON.parse(readFileSync(marksOut(s.name), 'utf8')) as PhaseMarks[]
      const summary = summarizePhases(marks)
      if (!summary) throw new Error(`${s.name}: no complete request marks`)
      summaries.set(s.name, summary)
    }
    print(nodeVersion(node), fn, summaries, paired, engine)
  } finally {
    await Promise.all(services.map((s) => s.stop()))
    await sim.close()
    built.cleanup()
  }
}

function print(
  version: string,
  fn: string,
  summaries: Map<string, PhaseSummary>,
  paired: Map<string, number[]>,
  engine: Map<string, number[]>
): void {
  const a = summaries.get(fn)!
  const b = summaries.get('floor')!
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  console.log(`node ${version}; ${fn} and the floor; load average ${load} at the end`)
  console.log(
    `medians in us; ${a.requests} and ${b.requests} requests (primer and warm-up included)`
  )
  console.log(`| phase | ${fn} | floor | difference |`)
  console.log('| --- | ---: | ---: | ---: |')
  const row = (label: string, x: number, y: number): void =>
    console.log(`| ${label} | ${x.toFixed(0)} | ${y.toFixed(0)} | ${(x - y).toFixed(0)} |`)
  PHASES.forEach(([, , label], i) => row(label, a.phasesUs[i]!, b.phasesUs[i]!))
  row('own time in the process (without the query)', a.ownUs, b.ownUs)
  const us = (ms: number[]): number => (ms.length ? median(ms) * 1000 : NaN)
  row(
    "the simulator's engine time for the process's queries",
    us(engine.get(fn)!),
    us(engine.get('floor')!)
  )
  row(
    'paired own cost of the same job (function - direct, p50)',
    median(paired.get(fn)!) * 1000,
    median(paired.get('floor')!) * 1000
  )
}

runStandalone('request-phases', main)
