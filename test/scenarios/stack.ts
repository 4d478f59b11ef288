/**
 * The local stand-in for a cluster: the Vizier simulator with a scenario and the three bundled
 * functions (dist/<fn>.mjs) pointed at it, plus the host rewrites that let the emulated Argo
 * controller reach `px-<fn>.px-canary.svc.cluster.local` on 127.0.0.1. Shared by the scenario
 * tests and `npm run demo`.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { startSimulator } from '../../simulator/server'
import type { Simulator } from '../../simulator/server'
import type { ScenarioInput } from '../../simulator/scenario'
import { analysisTemplates, findRollout, loadManifestDir } from '../argo-emulator/manifests'
import type { RolloutManifest } from '../argo-emulator/rollout'
import type { AnalysisTemplate } from '../argo-emulator/types'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const FUNCTIONS = ['error-rate', 'latency', 'throughput'] as const
export type FunctionName = (typeof FUNCTIONS)[number]

/** The cluster-local host of a function's Knative Service (knative/<fn>.yaml). */
export const clusterHost = (fn: FunctionName): string => `px-${fn}.px-canary.svc.cluster.local`

/** A scenario file under scenarios/, parsed (to run as is or to adjust first). */
export function readScenario(name: string): ScenarioInput {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, 'scenarios', `${name}.json`), 'utf8')
  ) as ScenarioInput
}

export interface Stack {
  simulator: Simulator
  functions: Record<FunctionName, RunningBundle>
  /** For the emulator: cluster-local host -> 127.0.0.1:<port>. */
  hostRewrite: Record<string, string>
  close(): Promise<void>
}

export interface StackOptions {
  /**
   * The simulator's "now" in ns (default the wall clock). A frozen clock makes every measurement
   * see the same window, so an analysis' outcome depends only on the scenario's seed.
   */
  clock?: () => bigint
}

/**
 * Starts the simulator on an ephemeral port and the bundled functions against it. Extra env (e.g.
 * PX_CANARY_AUTH_TOKEN) goes to every function. Everything started is stopped by close(), also
 * when starting fails half-way.
 */
export async function startStack(
  scenario: ScenarioInput | string,
  env: Record<string, string> = {},
  options: StackOptions = {}
): Promise<Stack> {
  const simulator = await startSimulator({
    scenario,
    port: 0,
    host: '127.0.0.1',
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  })
  const started: RunningBundle[] = []
  const close = async (): Promise<void> => {
    await Promise.all(started.map((b) => b.stop('SIGTERM', 5_000)))
    await simulator.close()
  }
  try {
    const bundles = await Promise.all(
      FUNCTIONS.map(async (fn) => {
        const bundle = await startBundle(fn, { PX_DIRECT_ADDR: simulator.address, ...env })
        started.push(bundle)
        return bundle
      })
    )
    const functions = Object.fromEntries(FUNCTIONS.map((fn, i) => [fn, bundles[i]])) as Record<
      FunctionName,
      RunningBundle
    >
    const hostRewrite = Object.fromEntries(
      FUNCTIONS.map((fn) => [clusterHost(fn), new URL(functions[fn].url).host])
    )
    return { simulator, functions, hostRewrite, close }
  } catch (err) {
    await close()
    throw err
  }
}

/** The project's canary manifests: the Rollout and every (Cluster)AnalysisTemplate. */
export function canaryManifests(): { rollout: RolloutManifest; templates: AnalysisTemplate[] } {
  const docs = loadManifestDir(join(REPO_ROOT, 'canary'))
  return { rollout: findRollout(docs), templates: analysisTemplates(docs) }
}

/**
 * canary/examples/rollout-comparison.yaml: the same Rollout judged against its stable ReplicaSet
 * by px-canary-comparison (templates from canaryManifests()).
 */
export function comparisonRollout(): RolloutManifest {
  return findRollout(loadManifestDir(join(REPO_ROOT, 'canary', 'examples')))
}
