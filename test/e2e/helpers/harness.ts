/**
 * One simulator with the bundled functions pointed at it, started once per describe block: all
 * three on a scenario file and a frozen clock (the functions' windows end exactly at NOW, so the
 * ground truth's do too), or one function on a simulator the test configures.
 */
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../simulator/server'
import {
  ROOT,
  startAllFunctions,
  startFunction,
  type FunctionName,
  type RunningFunction,
} from './functions'

/** Frozen simulator clock shared by the ground-truth e2e suites. */
export const NOW = 1_800_000_000_500_000_000n

export interface Harness {
  sim: Simulator
  fns: Record<FunctionName, RunningFunction>
}

/**
 * Starts the simulator, then the three functions against it: a file name means
 * scenarios/<file> on the frozen clock; options are passed to the simulator as they are.
 */
export async function startHarness(scenario: string | SimulatorOptions): Promise<Harness> {
  const sim = await startSimulator(
    typeof scenario === 'string'
      ? { scenario: join(ROOT, 'scenarios', scenario), port: 0, clock: () => NOW }
      : scenario
  )
  try {
    return { sim, fns: await startAllFunctions(sim.address) }
  } catch (err) {
    await sim.close()
    throw err
  }
}

/** Stops the functions, then the simulator; a harness that never started is a no-op. */
export async function stopHarness(h: Harness | undefined): Promise<void> {
  if (!h) return
  await Promise.all(Object.values(h.fns).map((f) => f.close()))
  await h.sim.close()
}

/**
 * Registers beforeAll/afterAll for the enclosing describe block and answers a getter for its
 * harness (it throws if called before beforeAll has run).
 */
export function useHarness(scenario: string | SimulatorOptions): () => Harness {
  let h: Harness | undefined
  beforeAll(async () => {
    h = await startHarness(scenario)
  })
  afterAll(async () => {
    await stopHarness(h)
  })
  return () => {
    if (!h) throw new Error('the simulator and functions are not running')
    return h
  }
}

/**
 * Registers beforeAll/afterAll that start a simulator with these options and one function against
 * it; answers a getter for both (it throws if called before beforeAll has run).
 */
export function useOneFunction(
  name: FunctionName,
  options: SimulatorOptions
): () => { sim: Simulator; fn: RunningFunction } {
  let sim: Simulator | undefined
  let fn: RunningFunction | undefined
  beforeAll(async () => {
    sim = await startSimulator(options)
    fn = await startFunction(name, sim.address)
  })
  afterAll(async () => {
    await fn?.close()
    await sim?.close()
  })
  return () => {
    if (!sim || !fn) throw new Error(`simulator and ${name} are not running`)
    return { sim, fn }
  }
}
