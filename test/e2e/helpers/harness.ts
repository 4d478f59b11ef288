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

/** Starts scenarios/<scenarioFile> on the frozen clock and the three functions against it. */
export async function startHarness(scenarioFile: string): Promise<Harness> {
  const sim = await startSimulator({
    scenario: join(ROOT, 'scenarios', scenarioFile),
    port: 0,
    clock: () => NOW,
  })
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
export function useHarness(scenarioFile: string): () => Harness {
  let h: Harness | undefined
  beforeAll(async () => {
    h = await startHarness(scenarioFile)
  })
  afterAll(async () => {
    await stopHarness(h)
  })
  return () => {
    if (!h) throw new Error(`harness for ${scenarioFile} is not running`)
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
