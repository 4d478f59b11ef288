/**
 * `npm run bench:cold-compare -- <dir>...`: spawn to first metric answer of this tree's bundles
 * beside the bundles in each <dir> (e.g. `npm run build` of an older commit), in the same random
 * rounds as the bare `node:http` floor and bare Hono, on one Node, optionally with a compile
 * cache filled as the Dockerfile fills it. A change to start-up is judged by these side-by-side
 * ratios: on a shared machine, runs made minutes apart differ by more than the change.
 * With COMPARE_OVERHEAD_ROUNDS=n it then measures the own cost per request (the bench's paired
 * `over-direct` method, 2 s per job) of one instance per build, alternating builds for n rounds.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { execFileSync } from 'node:child_process'
import { basename, join, resolve } from 'node:path'
import { buildArtifacts } from './build'
import { runColdStartRounds, type ColdStartTarget } from './cold-start'
import { primeCompileCache } from './compile-cache'
import { isMetricAnswer, isOk } from './http-probe'
import { METRIC_PATH } from './queries'
import { benchScenario } from './scenario'
import { startSimulatorHost } from './simulator-client'
import { measureOverhead } from './overhead'
import { startService } from './service'
import { median, quantile } from './stats'
import { runStandalone } from './standalone'

const MB = 2 ** 20

async function main(): Promise<void> {
  const dirs = process.argv.slice(2).map((d) => resolve(d))
  const node = process.env.COMPARE_NODE ?? process.execPath
  const runs = Number(process.env.COMPARE_RUNS ?? 12)
  const useCache = process.env.COMPARE_CACHE === '1'
  const seed = Number(process.env.COMPARE_SEED ?? Date.now() % 2 ** 31)
  const built = await buildArtifacts()
  const sim = await startSimulatorHost(benchScenario, 1)
  const cacheDir = useCache ? mkdtempSync(join(tmpdir(), 'px-canary-compare-cc-')) : undefined
  try {
    const base = { node, path: METRIC_PATH, accept: isMetricAnswer }
    const env = {
      PX_DIRECT_ADDR: sim.address,
      ...(cacheDir ? { NODE_COMPILE_CACHE: cacheDir } : {}),
    }
    const targets: ColdStartTarget[] = [
      { name: 'floor: node:http', node, entry: built.bareHttp.path, path: '/', accept: isOk },
      { name: 'bare Hono', node, entry: built.bareHono.path, path: '/', accept: isOk },
      ...built.functions.map((f) => ({
        ...base,
        name: `${f.name} (this tree)`,
        entry: f.path,
        env,
      })),
    ]
    for (const dir of dirs) {
      for (const f of built.functions) {
        const entry = join(dir, `${f.name}.mjs`)
        if (existsSync(entry))
          targets.push({ ...base, name: `${f.name} (${basename(dir)})`, entry, env })
      }
    }
    if (cacheDir) {
      // Each bundle path gets its own cache entries, so every compared bundle is primed.
      for (const t of targets.slice(2)) await primeCompileCache(node, t.entry, cacheDir)
    }
    process.stderr.write(`cold-compare: ${runs} rounds of ${targets.length}, load ${load()}\n`)
    const samples = await runColdStartRounds(targets, { runs, warmups: 1, seed })
    const floor = median(samples.get(targets[0]!.name)!.map((s) => s.ms))
    const floorRss = median(samples.get(targets[0]!.name)!.map((s) => s.rssBytes ?? 0))
    const version = execFileSync(node, ['--version'])
    console.log(
      `node ${String(version).trim()}${cacheDir ? ' + compile cache' : ''}; ${runs} rounds; ` +
        `seed ${seed}; load ${load()} at the end`
    )
    console.log('| target | ms (median) | x floor | RSS over floor |')
    console.log('| --- | ---: | ---: | ---: |')
    for (const t of targets) {
      const ms = median(samples.get(t.name)!.map((s) => s.ms))
      const rss = median(samples.get(t.name)!.map((s) => s.rssBytes ?? 0))
      console.log(
        `| ${t.name} | ${ms.toFixed(0)} | ${(ms / floor).toFixed(2)} | ` +
          `${t === targets[0] ? `0 (${(floorRss / MB).toFixed(1)} MB)` : `+${((rss - floorRss) / MB).toFixed(1)} MB`} |`
      )
    }
    // Pooled over the functions: each build's median, and the per-round paired difference.
    for (const dir of dirs) {
      const other = (f: string): string => `${f} (${basename(dir)})`
      const mine = (f: string): string => `${f} (this tree)`
      const pooled = (name: (f: string) => string): number[] =>
        built.functions.flatMap((f) => samples.get(name(f.name))?.map((s) => s.ms) ?? [])
      const diffs = built.functions.flatMap((f) => {
        const a = samples.get(mine(f.name))
        const b = samples.get(other(f.name))
        return a && b ? a.map((s, i) => s.ms - (b[i]?.ms ?? NaN)).filter(Number.isFinite) : []
      })
      const faster = diffs.filter((d) => d < 0).length
      console.log(
        `\npooled: this tree ${(median(pooled(mine)) / floor).toFixed(2)} x floor, ` +
          `${basename(dir)} ${(median(pooled(other)) / floor).toFixed(2)} x floor; ` +
          `paired per round (this tree - ${basename(dir)}): median ${median(diffs).toFixed(1)} ms, ` +
          `${faster} of ${diffs.length} faster`
      )
    }
    const overheadRounds = Number(process.env.COMPARE_OVERHEAD_ROUNDS ?? 0)
    if (overheadRounds > 0) await compareOverhead(targets.slice(2), sim, overheadRounds)
  } finally {
    await sim.close()
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true })
    built.cleanup()
  }
}

/** Own cost per request of one instance per target, in alternating rounds of paired jobs. */
async function compareOverhead(
  targets: readonly ColdStartTarget[],
  sim: Awaited<ReturnType<typeof startSimulatorHost>>,
  rounds: number
): Promise<void> {
  const services = []
  for (const t of targets) {
    services.push(
      await startService({
        name: t.name,
        entry: t.entry,
        env: { PX_DIRECT_ADDR: sim.address },
        readyPath: METRIC_PATH,
        accept: isMetricAnswer,
      })
    )
  }
  const pairs = new Map<string, number[]>(targets.map((t) => [t.name, []]))
  const cpu = new Map<string, { ms: number; requests: number }>()
  let seq = 1
  try {
    for (let round = 0; round < rounds; round++) {
      for (const service of round % 2 ? [...services].reverse() : services) {
        const s = await measureOverhead(service, sim, {
          concurrency: 1,
          primerMs: 300,
          warmupMs: 500,
          durationMs: 2000,
          seqStart: seq,
        })
        seq = s.nextSeq
        pairs.get(service.name)!.push(...s.vsDirectMs)
        const c = cpu.get(service.name) ?? { ms: 0, requests: 0 }
        cpu.set(service.name, {
          ms: c.ms + (s.functionCpuMs ?? NaN),
          requests: c.requests + s.requestsSent,
        })
      }
    }
  } finally {
    await Promise.all(services.map((s) => s.stop()))
  }
  console.log(
    `\nown cost per request (function - direct, paired), ${rounds} alternating rounds; load ${load()}`
  )
  console.log('| target | pairs | p50 ms | p99 ms | CPU per request ms |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const t of targets) {
    const d = pairs.get(t.name)!
    const c = cpu.get(t.name)!
    console.log(
      `| ${t.name} | ${d.length} | ${quantile(d, 0.5).toFixed(2)} | ${quantile(d, 0.99).toFixed(2)} | ${(c.ms / c.requests).toFixed(2)} |`
    )
  }
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')
}

runStandalone('cold-compare', main)
