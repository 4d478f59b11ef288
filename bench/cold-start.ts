/**
 * Cold start: wall time from spawn(node <bundle>) to the first acceptable HTTP answer, polled about
 * every millisecond over a fresh TCP connection each time (the method of the earlier npm-tooling
 * probe). Targets are measured in rounds; each round runs every target once in a new random order,
 * so drift on a shared machine (other tenants, thermal, page cache) hits all targets alike and the
 * ratios between them stay meaningful.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { getFresh, type ProbeResponse } from './http-probe'
import { freePort, isRunning, readRssBytes, spawnTracked, stopProcess } from '../test/helpers/spawn'
import { mulberry32 } from '../simulator/prng'
import { shuffled } from './stats'

export interface ColdStartTarget {
  /** Row name in the report, e.g. 'floor: node:http' or 'error-rate'. */
  name: string
  /** The bundled .mjs entry, run as `node <entry>`. */
  entry: string
  /** The node binary (default: the one running the bench). */
  node?: string
  /** Node flags before the entry, e.g. ['--snapshot-blob', 'x.blob'] (default none). */
  nodeArgs?: string[]
  /** Path probed, with its query string. */
  path: string
  /** Extra environment (PORT is set by the bench). */
  env?: Record<string, string>
  /** Which answer counts as "first answer". */
  accept: (response: ProbeResponse) => boolean
}

export interface ColdStartSample {
  /** Spawn to first accepted answer, in milliseconds. */
  ms: number
  /** VmRSS right after the first accepted answer, in bytes (undefined when /proc is unreadable). */
  rssBytes: number | undefined
  /** Probe requests sent (refused connections included). */
  attempts: number
}

export interface ColdStartOptions {
  /** Give up on a spawn after this long (default 15 s). */
  deadlineMs?: number
  /** Pause between probes (default 1 ms). */
  pollIntervalMs?: number
}

/** The environment every spawned target gets: ours minus anything that changes how node starts. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of [
    'NODE_OPTIONS',
    'PX_API_KEY',
    'PX_CLUSTER_ID',
    'PX_CLOUD_ADDR',
    'PX_DIRECT_ADDR',
  ]) {
    delete env[key]
  }
  return { ...env, ...extra }
}

/**
 * Spawns `target` once and measures spawn to first accepted answer. The child is always stopped
 * before this resolves or rejects. Rejects when the child exits early or the deadline passes,
 * including the last answer or error seen and the tail of the child's stderr.
 */
export async function measureColdStart(
  target: ColdStartTarget,
  options: ColdStartOptions = {}
): Promise<ColdStartSample> {
  const deadlineMs = options.deadlineMs ?? 15_000
  const pollIntervalMs = options.pollIntervalMs ?? 1
  const port = await freePort()
  let stderr = ''
  const started = performance.now()
  const child = spawnTracked(
    target.node ?? process.execPath,
    [...(target.nodeArgs ?? []), target.entry],
    {
      env: childEnv({ ...target.env, PORT: String(port) }),
      stdio: ['ignore', 'ignore', 'pipe'],
    }
  )
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000)
  })
  let attempts = 0
  // The last HTTP answer says more than the last error (often a probe cut short by the deadline).
  let lastAnswer: string | undefined
  let lastError = 'no probe sent'
  const last = (): string => lastAnswer ?? lastError
  try {
    for (;;) {
      const remaining = deadlineMs - (performance.now() - started)
      if (remaining <= 0)
        throw new Error(`no accepted answer within ${deadlineMs} ms (last: ${last()})`)
      if (!isRunning(child)) {
        throw new Error(
          `exited early (code ${child.exitCode}, signal ${child.signalCode}) (last: ${last()})`
        )
      }
      attempts++
      try {
        const response = await getFresh(port, target.path, Math.max(1, remaining))
        if (target.accept(response)) {
          const ms = performance.now() - started
          const rssBytes = child.pid === undefined ? undefined : readRssBytes(child.pid)
          return { ms, rssBytes, attempts }
        }
        lastAnswer = `HTTP ${response.status} ${response.body.slice(0, 200)}`
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err)
      }
      await sleep(pollIntervalMs)
    }
  } catch (err) {
    const tail = stderr.trim() ? `; stderr: ${stderr.trim().slice(-500)}` : ''
    throw new Error(`cold start of ${target.name}: ${(err as Error).message}${tail}`)
  } finally {
    await stopProcess(child, 1000)
  }
}

export interface ColdStartRoundsOptions extends ColdStartOptions {
  /** Measured rounds (each target once per round). */
  runs: number
  /** Discarded rounds first (page cache, JIT of the bench itself). */
  warmups: number
  /** Seed for the per-round order, recorded in the results so the order can be reproduced. */
  seed: number
  /** Called after each measured sample (progress output). */
  onSample?: (target: string, sample: ColdStartSample, round: number) => void
  /**
   * Called when a target fails during a warm-up round; the target is then dropped from the
   * remaining rounds instead of failing the whole measurement. Failures in measured rounds throw.
   */
  onWarmupFailure?: (target: string, error: Error) => void
}

/**
 * Measures every target `warmups + runs` times in rounds of random order and returns the measured
 * samples per target name (warm-up rounds dropped; targets dropped after a warm-up failure are
 * absent from the map).
 */
export async function runColdStartRounds(
  targets: readonly ColdStartTarget[],
  options: ColdStartRoundsOptions
): Promise<Map<string, ColdStartSample[]>> {
  const random = mulberry32(options.seed)
  const samples = new Map<string, ColdStartSample[]>(targets.map((t) => [t.name, []]))
  let active = [...targets]
  for (let round = 0; round < options.warmups + options.runs; round++) {
    const warmup = round < options.warmups
    for (const target of shuffled(active, random)) {
      let sample: ColdStartSample
      try {
        sample = await measureColdStart(target, options)
      } catch (err) {
        if (!warmup || !options.onWarmupFailure) throw err
        options.onWarmupFailure(target.name, err as Error)
        active = active.filter((t) => t !== target)
        samples.delete(target.name)
        continue
      }
      if (warmup) continue
      samples.get(target.name)?.push(sample)
      options.onSample?.(target.name, sample, round - options.warmups)
    }
  }
  return samples
}
