/**
 * The soak test (`npm run soak`): the three bundled functions against the simulator's demo
 * scenario, under many concurrent requests (several selectors, invalid ones, bad credentials,
 * health checks), while the simulator's faults go on and off (unavailable, latency beyond the
 * deadline, auth failure, stream reset). It checks that every answer is JSON with the right status
 * for the faults active while it was in flight, that no function dies, that each function's RSS
 * stays under a bound, and that each exits 0 on SIGTERM at the end. It prints the figures and
 * exits 1 on any violation.
 *
 * SOAK_SECONDS (default 75) sets the length, SOAK_CONCURRENCY (default 8) the request loops per
 * function, SOAK_MAX_RSS_MB (default 150) the bound, SOAK_SEED (default 1) the request mix.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildFunctions } from '../../esbuild.config.mjs'
import { startSimulator } from '../../simulator'
import { mulberry32 } from '../../simulator/prng'
import { startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { DEADLINE_MS, phaseAt, planRequest, SCHEDULE, violation } from './expectations'
import type { Observed, Phase, PlannedRequest } from './expectations'

const ROOT = join(import.meta.dirname, '..', '..')
const FUNCTIONS = ['error-rate', 'latency', 'throughput'] as const
const TOKEN = 'soak-caller-token-0123456789abcdef'

function intEnv(name: string, fallback: number, min: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`)
    process.exit(2)
  }
  return value
}

const SECONDS = intEnv('SOAK_SECONDS', 75, 20)
const CONCURRENCY = intEnv('SOAK_CONCURRENCY', 8, 1)
const MAX_RSS_MB = intEnv('SOAK_MAX_RSS_MB', 150, 1)
const SEED = intEnv('SOAK_SEED', 1, 0)
/** An answer must come within the deadline plus this slack, or it is a violation. */
const ANSWER_SLACK_MS = 5000

/**
 * The Knative memory limit of a function in MiB (knative/base/<name>.yaml, resources.limits.memory),
 * so the peak is printed against what would OOM-kill it in a cluster.
 */
function knativeLimitMib(name: string): number | undefined {
  const yaml = readFileSync(join(ROOT, 'knative', 'base', `${name}.yaml`), 'utf8')
  const limits = /memory:\s*(\d+)Mi/.exec(yaml.slice(yaml.indexOf('limits:')))
  return limits === null ? undefined : Number(limits[1])
}

/** Resident set size of a process in MB, from /proc (undefined where there is no /proc). */
function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb) / 1024
  } catch {
    return undefined
  }
}

interface Tally {
  requests: number
  byOutcome: Map<string, number>
  violations: string[]
  rssFirstMb: number | undefined
  rssPeakMb: number
  rssLastMb: number | undefined
  /** Peak RSS per tenth of the run, to tell a plateau from a leak. */
  rssByTenth: number[]
  latencies: number[]
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

async function send(
  fn: RunningBundle,
  request: PlannedRequest
): Promise<Observed | { error: string }> {
  try {
    const res = await fetch(`${fn.url}${request.path}`, {
      headers: request.headers,
      signal: AbortSignal.timeout(DEADLINE_MS + ANSWER_SLACK_MS),
    })
    const text = await res.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
    return { status: res.status, contentType: res.headers.get('content-type'), body }
  } catch (err) {
    return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }
  }
}

async function main(): Promise<number> {
  console.log(
    `soak: ${SECONDS} s, ${CONCURRENCY} loops per function, RSS bound ${MAX_RSS_MB} MB, seed ${SEED}`
  )
  await buildFunctions({ quiet: true })
  const sim = await startSimulator({
    scenario: join(ROOT, 'scenarios', 'demo.json'),
    port: 0,
    onWarning: () => {},
  })
  const functions: RunningBundle[] = []
  const tallies = new Map<string, Tally>()
  let failed = false
  try {
    for (const name of FUNCTIONS) {
      functions.push(
        await startBundle(name, { PX_DIRECT_ADDR: sim.address, PX_CANARY_AUTH_TOKEN: TOKEN })
      )
      tallies.set(name, {
        requests: 0,
        byOutcome: new Map(),
        violations: [],
        rssFirstMb: undefined,
        rssPeakMb: 0,
        rssLastMb: undefined,
        rssByTenth: [],
        latencies: [],
      })
    }

    const started = performance.now()
    const durationMs = SECONDS * 1000
    const fraction = (at: number) => (at - started) / durationMs
    // Phase boundaries in run time, and which phases a request overlapped.
    const phasesBetween = (from: number, to: number): Phase['name'][] => {
      const first = phaseAt(Math.max(0, fraction(from)))
      const last = phaseAt(Math.max(0, fraction(to)))
      return SCHEDULE.slice(first, last + 1).map((p) => p.name)
    }

    // The fault switcher.
    let current = -1
    const switcher = setInterval(() => {
      const index = phaseAt(fraction(performance.now()))
      if (index === current) return
      current = index
      const phase = SCHEDULE[index]!
      sim.clearFaults()
      if (phase.fault !== undefined) sim.setFault(phase.fault)
      console.log(`  t=${((performance.now() - started) / 1000).toFixed(1)} s: fault ${phase.name}`)
    }, 50)

    // The RSS sampler, and the liveness check.
    const sampler = setInterval(() => {
      for (const fn of functions) {
        const tally = tallies.get(fn.name)!
        if (fn.exit !== undefined) continue
        const mb = rssMb(fn.pid)
        if (mb === undefined) continue
        tally.rssFirstMb ??= mb
        tally.rssPeakMb = Math.max(tally.rssPeakMb, mb)
        tally.rssLastMb = mb
        const tenth = Math.min(9, Math.floor(fraction(performance.now()) * 10))
        tally.rssByTenth[tenth] = Math.max(tally.rssByTenth[tenth] ?? 0, mb)
      }
    }, 250)

    const loop = async (fn: RunningBundle, random: () => number): Promise<void> => {
      const tally = tallies.get(fn.name)!
      while (performance.now() - started < durationMs) {
        const request = planRequest(fn.name, TOKEN, random)
        const sentAt = performance.now()
        const observed = await send(fn, request)
        const receivedAt = performance.now()
        tally.requests++
        if ('error' in observed) {
          count(tally.byOutcome, 'no answer')
          tally.violations.push(`${request.path}: no answer (${observed.error})`)
          continue
        }
        const code = (observed.body as { error?: { code?: string } } | null)?.error?.code
        count(tally.byOutcome, `${observed.status}${code === undefined ? '' : ` ${code}`}`)
        if (request.kind === 'metric') tally.latencies.push(receivedAt - sentAt)
        const phases = phasesBetween(sentAt - DEADLINE_MS - 500, receivedAt)
        const problem = violation(request, observed, phases)
        if (problem !== undefined) {
          const message = (observed.body as { error?: { message?: string } } | null)?.error?.message
          const at = ((sentAt - started) / 1000).toFixed(1)
          tally.violations.push(
            `t=${at} s ${request.path}: ${problem}${message ? ` (${message})` : ''}`
          )
        }
        // A short, seeded pause keeps the machine responsive for the other processes.
        await new Promise((r) => setTimeout(r, Math.floor(random() * 10)))
      }
    }
    const loops: Promise<void>[] = []
    for (const [i, fn] of functions.entries()) {
      for (let j = 0; j < CONCURRENCY; j++)
        loops.push(loop(fn, mulberry32(SEED * 1000 + i * 100 + j)))
    }
    await Promise.all(loops)
    clearInterval(switcher)
    clearInterval(sampler)
    sim.clearFaults()

    // Every function is alive, answers its health route and measures again.
    for (const fn of functions) {
      const tally = tallies.get(fn.name)!
      if (fn.exit !== undefined) {
        tally.violations.push(`the process died: ${JSON.stringify(fn.exit)}\n${fn.stderr()}`)
        continue
      }
      const path =
        fn.name === 'throughput'
          ? '/throughput/default/canary-demo-'
          : '/?namespace=default&service=canary-demo'
      const after = await send(fn, {
        kind: 'metric',
        path,
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      if ('error' in after || after.status !== 200) {
        tally.violations.push(`no 200 after the run: ${JSON.stringify(after).slice(0, 300)}`)
      }
      if (tally.rssPeakMb > MAX_RSS_MB) {
        tally.violations.push(
          `RSS peaked at ${tally.rssPeakMb.toFixed(1)} MB, over ${MAX_RSS_MB} MB`
        )
      }
    }
    // Graceful shutdown at the end, as Knative scales to zero.
    for (const fn of functions) {
      const exit = await fn.stop('SIGTERM', DEADLINE_MS + 5000)
      if (exit.code !== 0)
        tallies.get(fn.name)!.violations.push(`SIGTERM exit ${JSON.stringify(exit)}`)
      if (fn.stderr().trim() !== '')
        tallies.get(fn.name)!.violations.push(`stderr: ${fn.stderr().slice(0, 500)}`)
    }

    // The figures.
    const measured = rssMb(process.pid) !== undefined
    console.log(`\nsimulator: ${sim.stats.executeScriptCalls} ExecuteScript calls`)
    for (const name of FUNCTIONS) {
      const t = tallies.get(name)!
      const sorted = [...t.latencies].sort((a, b) => a - b)
      const p = (q: number) =>
        sorted.length === 0
          ? 0
          : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
      console.log(`\n${name}: ${t.requests} requests, ${t.violations.length} violations`)
      const limit = knativeLimitMib(name)
      if (measured && limit !== undefined) {
        const share = (100 * t.rssPeakMb) / limit
        console.log(
          `  peak RSS ${t.rssPeakMb.toFixed(1)} MiB against the Knative limit ${limit}Mi: ${share.toFixed(0)} % (must stay under 50 %, before the image's Node offset)`
        )
      }
      console.log(
        measured
          ? `  RSS: first ${t.rssFirstMb?.toFixed(1)} MB, peak ${t.rssPeakMb.toFixed(1)} MB (bound ${MAX_RSS_MB} MB), last ${t.rssLastMb?.toFixed(1)} MB; peak per tenth of the run: ${t.rssByTenth.map((m) => m.toFixed(0)).join(' ')}`
          : '  RSS: not measured (no /proc)'
      )
      console.log(`  metric answer time: p50 ${p(0.5).toFixed(0)} ms, p99 ${p(0.99).toFixed(0)} ms`)
      for (const [outcome, n] of [...t.byOutcome].sort((a, b) => b[1] - a[1])) {
        console.log(`  ${String(n).padStart(7)}  ${outcome}`)
      }
      for (const v of t.violations.slice(0, 10)) console.log(`  VIOLATION ${v}`)
      if (t.violations.length > 10) console.log(`  ... and ${t.violations.length - 10} more`)
      if (t.violations.length > 0) failed = true
    }
  } finally {
    for (const fn of functions) await fn.stop('SIGKILL')
    await sim.close()
  }
  console.log(failed ? '\nsoak: FAILED' : '\nsoak: passed')
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('soak: crashed', err)
    process.exit(1)
  }
)
