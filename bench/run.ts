/**
 * `npm run bench`: measures px-canary against its performance goals (root README), side by side in one
 * run, prints the table and writes bench/results/latest.json (the same figures, machine-readable,
 * plus summaries of the raw samples). Phases: bundle sizes; cold start and memory (the functions
 * interleaved with a bare node:http floor and bare Hono); overhead over the Pixie query;
 * throughput; coalescing; scaling with traffic. A failed phase leaves its goal rows as n/a with
 * the reason and makes the exit code 1; goals not met are results, not failures.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildArtifacts, type BuiltArtifacts } from './build'
import { measureCoalescing } from './coalescing'
import { runColdStartRounds, type ColdStartTarget } from './cold-start'
import { measureCompileCache, nodeMajor, nodeVersion } from './compile-cache'
import {
  bundleFigures,
  coalescingExpected,
  coalescingFigures,
  coldStartFigures,
  compileCacheFigures,
  compileCacheSkipped,
  FigureTable,
  imageOverheadExpected,
  imageOverheadFigures,
  imageOverheadFloorFigures,
  memoryFigures,
  OVERHEAD,
  OVERHEAD_IMAGE,
  overheadExpected,
  overheadFigures,
  overheadFloorExpected,
  overheadFloorFigures,
  SCALING,
  scalingExpected,
  scalingFigures,
  throughputFigures,
  type ColdStartOutcome,
} from './figures'
import { methodTexts } from './goals'
import { isMetricAnswer, isOk } from './http-probe'
import { throughputPerSecond, type LoadResult, type ReplayCall } from './load'
import { parseOptions, USAGE, type BenchOptions } from './options'
import { measureImageOverhead } from './image-overhead'
import { measureOverhead } from './overhead'
import { installExitCleanup, stopAll } from '../test/helpers/spawn'
import { METRIC_PATH } from './queries'
import { renderTable } from './report'
import { measureScaling } from './scaling'
import { benchScenario } from './scenario'
import { startService, type Service } from './service'
import { startSimulatorHost, type SimulatorHandle } from './simulator-client'
import { summarize } from './stats'
import { measureThroughput } from './throughput'

const benchDir = dirname(fileURLToPath(import.meta.url))

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 400) ?? ''
}

const summaryOrNull = (values: readonly number[]) => (values.length ? summarize(values) : null)

/** What the JSON keeps of a load job: the rate, the answers and the latency distribution. */
function loadSummary(r: LoadResult) {
  return {
    rps: throughputPerSecond(r),
    ok: r.ok,
    completed: r.completed,
    statuses: r.statuses,
    errors: r.errors,
    latencyMs: summaryOrNull(r.latenciesMs),
  }
}

/** The cold-start rounds: floor, bare Hono and every function, interleaved in random order. */
async function measureColdStarts(
  built: BuiltArtifacts,
  sim: SimulatorHandle | undefined,
  o: BenchOptions
): Promise<ColdStartOutcome> {
  const floor: ColdStartTarget = {
    name: 'floor: node:http',
    entry: built.bareHttp.path,
    path: '/',
    accept: isOk,
  }
  const hono: ColdStartTarget = {
    name: 'bare Hono',
    entry: built.bareHono.path,
    path: '/',
    accept: isOk,
  }
  const unavailable = new Map<string, string>()
  const functions: ColdStartTarget[] = []
  for (const f of built.functions) {
    if (!sim) unavailable.set(f.name, 'simulator unavailable')
    else {
      functions.push({
        name: f.name,
        entry: f.path,
        path: METRIC_PATH,
        accept: isMetricAnswer,
        env: { PX_DIRECT_ADDR: sim.address },
      })
    }
  }
  const targets = [floor, hono, ...functions]
  const total = o.runs * targets.length
  log(`cold start: ${o.warmups} warm-up + ${o.runs} rounds of ${targets.length} (seed ${o.seed})`)
  let done = 0
  const samples = await runColdStartRounds(targets, {
    runs: o.runs,
    warmups: o.warmups,
    seed: o.seed,
    onSample: () => {
      done++
      if (done % 10 === 0 || done === total) log(`cold start: ${done}/${total}`)
    },
    onWarmupFailure: (name, err) => {
      unavailable.set(name, errorText(err))
      log(`cold start: ${name} dropped: ${errorText(err)}`)
    },
  })
  if (!samples.has(floor.name)) {
    throw new Error(`the floor could not be measured: ${unavailable.get(floor.name) ?? '?'}`)
  }
  return {
    samples,
    floor: floor.name,
    hono: hono.name,
    functions: built.functions.map((f) => f.name),
    unavailable,
  }
}

async function main(): Promise<number> {
  let options: BenchOptions
  try {
    options = parseOptions(process.argv.slice(2), process.env)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`${message}${message.includes('usage:') ? '' : `\n${USAGE}`}\n`)
    return 2
  }
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  installExitCleanup()
  const o = options
  const startedAt = new Date()
  const loadStart = loadavg()
  const table = new FigureTable()
  const raw: Record<string, unknown> = {}
  const errors: string[] = []

  /** Runs one phase; a failure is recorded (and its goal rows added as n/a by `onError`). */
  const phase = async (
    name: string,
    body: () => Promise<void>,
    onError?: (reason: string) => void
  ): Promise<void> => {
    const t0 = Date.now()
    log(`${name}...`)
    try {
      await body()
      log(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    } catch (err) {
      const reason = errorText(err)
      errors.push(`${name}: ${reason}`)
      log(`${name} FAILED: ${reason}`)
      onError?.(reason)
    }
  }

  let built: BuiltArtifacts | undefined
  let sim: SimulatorHandle | undefined
  const services: Service[] = []
  /** The floor fixture: started by the overhead floor phase, measured again while scaling. */
  let floorProxy: Service | undefined
  let seq = 1
  try {
    await phase('build', async () => {
      built = await buildArtifacts()
      bundleFigures(table, built.functions, [built.bareHono, built.bareHttp])
      raw.bundles = [...built.functions, built.bareHono, built.bareHttp].map((b) => ({
        name: b.name,
        bytes: b.bytes,
        gzipBytes: b.gzipBytes,
        composition: b.composition ?? null,
      }))
    })
    if (!built) throw new Error(`nothing to measure without bundles (${errors.join('; ')})`)
    const artifacts = built
    const names = artifacts.functions.map((f) => f.name)
    if (names.length === 0) errors.push('build: no function under functions/<name>/index.ts')

    await phase('simulator', async () => {
      sim = await startSimulatorHost(benchScenario, 1)
    })

    await phase('cold start', async () => {
      const outcome = await measureColdStarts(artifacts, sim, o)
      coldStartFigures(table, outcome)
      memoryFigures(table, outcome)
      const bySample = (pick: (s: { ms: number; rssBytes: number | undefined }) => unknown) =>
        Object.fromEntries([...outcome.samples].map(([k, v]) => [k, v.map(pick)]))
      raw.coldStartMs = bySample((s) => s.ms)
      raw.rssBytes = bySample((s) => s.rssBytes ?? null)
      raw.coldStartUnavailable = Object.fromEntries(outcome.unavailable)
    })

    await phase(
      "cold start on the image's node + compile cache",
      async () => {
        if (!o.imageNode) {
          compileCacheSkipped(
            table,
            artifacts.functions.map((f) => f.name),
            "skipped: set BENCH_IMAGE_NODE=/path/to/node (the image's Node, 22+) to measure"
          )
          return
        }
        const major = nodeMajor(o.imageNode)
        if (major === undefined || major < 22) {
          throw new Error(
            `BENCH_IMAGE_NODE=${o.imageNode} is not a runnable Node 22+ (major ${major})`
          )
        }
        if (!sim) throw new Error('simulator unavailable')
        const address = sim.address
        const outcome = await measureCompileCache(
          o.imageNode,
          artifacts.functions,
          artifacts.bareHttp.path,
          address,
          { runs: o.runs, warmups: o.warmups, seed: o.seed }
        )
        compileCacheFigures(table, outcome)
        raw.coldStartImageNode = {
          node: outcome.nodeVersion,
          cacheBytes: outcome.cacheBytes,
          ms: Object.fromEntries([...outcome.samples].map(([k, v]) => [k, v.map((x) => x.ms)])),
          rssBytes: Object.fromEntries(
            [...outcome.samples].map(([k, v]) => [k, v.map((x) => x.rssBytes ?? null)])
          ),
        }
      },
      (reason) =>
        compileCacheSkipped(
          table,
          artifacts.functions.map((f) => f.name),
          reason
        )
    )

    await phase('function instances', async () => {
      if (!sim) throw new Error('simulator unavailable')
      for (const f of artifacts.functions) {
        const env = { PX_DIRECT_ADDR: sim.address }
        const spec = { name: f.name, entry: f.path, env, readyPath: METRIC_PATH }
        services.push(await startService({ ...spec, accept: isMetricAnswer }))
      }
    })

    /** The paired job of the overhead phases, on either Node. */
    const overheadJob = {
      concurrency: o.overheadConcurrency,
      primerMs: o.quick ? 200 : 300,
      warmupMs: o.warmupSeconds * 1000,
      durationMs: o.overheadSeconds * 1000,
    }
    const overheadRaw: Record<string, unknown> = {}
    raw.overhead = overheadRaw
    let replayed: ReplayCall[] | undefined
    for (const name of names) {
      const body = async (): Promise<void> => {
        const service = services.find((s) => s.name === name)
        if (!sim || !service) throw new Error('function instance or simulator unavailable')
        const s = await measureOverhead(service, sim, {
          ...overheadJob,
          seqStart: seq,
        })
        seq = s.nextSeq
        replayed ??= s.calls
        overheadFigures(table, name, s)
        overheadRaw[name] = {
          functionMs: summarize(s.functionMs),
          directMs: summarize(s.directMs),
          vsDirectMs: summarize(s.vsDirectMs),
          vsSimulatorMs: summaryOrNull(s.vsSimulatorMs),
          simulatorMs: summaryOrNull(s.simulatorMs),
          pixieCalls: s.pixieCalls,
          requestsSent: s.requestsSent,
          failures: s.failures,
        }
      }
      await phase(`overhead ${name}`, body, (reason) =>
        table.missing(OVERHEAD, overheadExpected(name), reason)
      )
    }

    await phase(
      'overhead floor',
      async () => {
        if (!sim || !replayed) throw new Error('no function call was recorded to replay')
        const callsFile = join(artifacts.dir, 'proxy-calls.json')
        writeFileSync(callsFile, JSON.stringify(replayed))
        const proxy = await startService({
          name: 'bare proxy',
          entry: artifacts.bareProxy.path,
          env: { PX_DIRECT_ADDR: sim.address, PROXY_CALLS: callsFile },
          readyPath: METRIC_PATH,
          accept: (r) => r.status === 200,
        })
        try {
          const s = await measureOverhead(proxy, sim, {
            ...overheadJob,
            seqStart: seq,
            calls: replayed,
          })
          seq = s.nextSeq
          overheadFloorFigures(table, s)
          overheadRaw.floor = { vsDirectMs: summarize(s.vsDirectMs), failures: s.failures }
          floorProxy = proxy
        } catch (err) {
          await proxy.stop()
          throw err
        }
      },
      (reason) => table.missing(OVERHEAD, overheadFloorExpected(), reason)
    )

    await phase(
      "overhead on the image's node",
      async () => {
        if (!o.imageNode) {
          table.missing(
            OVERHEAD_IMAGE,
            imageOverheadExpected(names),
            "skipped: set BENCH_IMAGE_NODE=/path/to/node (the image's Node, 22+) to measure"
          )
          return
        }
        if (!sim || !replayed) throw new Error('no function call was recorded to replay')
        const node = o.imageNode
        const version = nodeVersion(node)
        const imageRaw: Record<string, unknown> = { node: version }
        raw.overheadImage = imageRaw
        seq = await measureImageOverhead(artifacts, sim, {
          node,
          ...overheadJob,
          seqStart: seq,
          floorCalls: replayed,
          onFunction: (name, s) => {
            imageOverheadFigures(table, version, name, s)
            imageRaw[name] = { vsDirectMs: summarize(s.vsDirectMs), failures: s.failures }
          },
          onFloor: (s) => {
            imageOverheadFloorFigures(table, version, s)
            imageRaw.floor = { vsDirectMs: summarize(s.vsDirectMs), failures: s.failures }
          },
        })
      },
      (reason) => {
        // Rows of what was measured before the failure stay; the rest read n/a.
        const measured = new Set(table.figures.map((f) => f.id))
        const left = imageOverheadExpected(names).filter((r) => !measured.has(r.id))
        table.missing(OVERHEAD_IMAGE, left, reason)
      }
    )

    await phase('throughput', async () => {
      if (!sim) throw new Error('simulator unavailable')
      const r = await measureThroughput(services, artifacts.bareHono.path, sim, {
        concurrency: o.concurrency,
        warmupMs: o.throughputWarmupSeconds * 1000,
        durationMs: o.loadSeconds * 1000,
        seqStart: seq,
      })
      seq = r.nextSeq
      throughputFigures(table, r, o.concurrency)
      raw.throughput = {
        bareHono: loadSummary(r.bareHono),
        direct: r.direct ? loadSummary(r.direct) : null,
        functions: Object.fromEntries(
          r.functions.map((f) => [
            f.name,
            { distinct: loadSummary(f.distinct), identical: loadSummary(f.identical) },
          ])
        ),
      }
    })

    const coalescingRaw: Record<string, unknown> = {}
    raw.coalescing = coalescingRaw
    await phase(
      'coalescing',
      async () => {
        if (!sim) throw new Error('simulator unavailable')
        for (const service of services) {
          const { results, nextSeq } = await measureCoalescing(service, sim, {
            burst: o.burst,
            rounds: o.burstRounds,
            pixieLatencyMs: o.pixieLatencyMs,
            seqStart: seq,
          })
          seq = nextSeq
          coalescingRaw[service.name] = results
          coalescingFigures(table, service.name, results, o.burst)
        }
      },
      (reason) =>
        table.missing(
          'coalescing',
          names.flatMap((n) => coalescingExpected(n, o.burst)),
          reason
        )
    )

    await phase(
      'scaling',
      async () => {
        if (!sim) throw new Error('simulator unavailable')
        if (services.length === 0) throw new Error('no function instance')
        const { levels, nextSeq } = await measureScaling(services, sim, {
          multipliers: o.multipliers,
          durationMs: o.scalingSeconds * 1000,
          minRequests: o.quick ? 8 : 20,
          seqStart: seq,
          ...(floorProxy ? { floor: floorProxy } : {}),
          onLevel: (l, ms) =>
            log(
              `scaling x${l.multiplier}: ${l.vsDirectMs.length} pairs in ${(ms / 1000).toFixed(1)} s`
            ),
        })
        seq = nextSeq
        scalingFigures(table, levels)
        raw.scaling = levels.map((l) => ({
          multiplier: l.multiplier,
          rowsReturned: summaryOrNull(l.rowsReturned),
          rowsScanned: summaryOrNull(l.rowsScanned),
          simulatorMs: summaryOrNull(l.simulatorMs),
          functionMs: summaryOrNull(l.functionMs),
          functionVsDirectMs: summaryOrNull(l.vsDirectMs),
          functionMinusSimulatorMs: summaryOrNull(l.pairedMs),
          functionCpuPerRequestMs: l.requests > 0 ? l.functionCpuMs / l.requests : null,
          floorVsDirectMs: summaryOrNull(l.floorVsDirectMs),
          failures: l.failures,
        }))
      },
      (reason) => table.missing(SCALING, scalingExpected(), reason)
    )
  } finally {
    for (const s of services) await s.stop()
    await floorProxy?.stop()
    await sim?.close()
    await stopAll()
    built?.cleanup()
  }

  const finishedAt = new Date()
  const seconds = (finishedAt.getTime() - startedAt.getTime()) / 1000
  const methods = methodTexts(o)
  const peakLoad = Math.max(loadStart[0] ?? 0, loadavg()[0] ?? 0)
  const busy = peakLoad > cpus().length * 0.5
  const load = loadStart.map((l) => l.toFixed(2)).join(' ')
  const header = `px-canary bench (${o.quick ? 'quick' : 'full'} run) ${startedAt.toISOString()}, node ${process.version}, ${cpus().length} CPUs, load average ${load}, ${seconds.toFixed(0)} s`
  const warning = busy
    ? `WARNING: load average up to ${peakLoad.toFixed(2)} on ${cpus().length} CPUs during the run: other work shares this machine, so absolute times are inflated and noisy; ratios measured side by side are less affected.\n`
    : ''
  process.stdout.write(`\n${header}\n${warning}\n${renderTable(table.figures, methods)}\n`)
  if (errors.length) {
    process.stdout.write(`\nphases that failed:\n${errors.map((e) => `  ${e}`).join('\n')}\n`)
  }

  const out = o.out ?? join(benchDir, 'results', 'latest.json')
  const goals = table.figures.filter((f) => f.goal)
  const json = {
    schema: 'px-canary-bench/1',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: seconds,
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemoryMb: Math.round(totalmem() / 2 ** 20),
      loadAverageStart: loadStart,
      loadAverageEnd: loadavg(),
      busyMachine: busy,
    },
    options: o,
    goals: { met: goals.filter((f) => f.goal?.met).length, total: goals.length },
    figures: table.figures,
    methods,
    errors,
    raw,
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`)
  process.stdout.write(`\nJSON: ${relative(process.cwd(), out) || out}\n`)
  return errors.length ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
    )
    void stopAll(500).finally(() => process.exit(1))
  }
)
