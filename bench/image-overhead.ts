/**
 * The own cost per request on the production image's Node: each function and the own-cost floor
 * fixture served by that binary, measured by the same paired job as on the machine's Node
 * (`measureOverhead`). The load generator and the simulator stay on the machine's Node, so both
 * halves of every pair cross the same client code.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BuiltArtifacts } from './build'
import { isMetricAnswer } from './http-probe'
import type { ReplayCall } from './load'
import { measureOverhead, type OverheadSamples } from './overhead'
import { METRIC_PATH } from './queries'
import { startService, type Service } from './service'
import type { SimulatorHandle } from './simulator-client'

export interface ImageOverheadOptions {
  /** The image's Node binary. */
  node: string
  primerMs: number
  warmupMs: number
  durationMs: number
  concurrency: number
  seqStart: number
  /** Calls the floor replays (recorded from a function on the machine's Node). */
  floorCalls: readonly ReplayCall[]
  /** Called with each function's samples as they are measured. */
  onFunction: (name: string, samples: OverheadSamples) => void
  /** Called with the floor's samples, last. */
  onFloor: (samples: OverheadSamples) => void
}

/** Measures every function, then the floor, one instance at a time; returns the next sequence. */
export async function measureImageOverhead(
  artifacts: BuiltArtifacts,
  sim: SimulatorHandle,
  o: ImageOverheadOptions
): Promise<number> {
  let seq = o.seqStart
  const job = { concurrency: o.concurrency, primerMs: o.primerMs, warmupMs: o.warmupMs }
  const measure = async (
    service: Service,
    calls?: readonly ReplayCall[]
  ): Promise<OverheadSamples> => {
    try {
      const s = await measureOverhead(service, sim, {
        ...job,
        durationMs: o.durationMs,
        seqStart: seq,
        ...(calls ? { calls: [...calls] } : {}),
      })
      seq = s.nextSeq
      return s
    } finally {
      await service.stop()
    }
  }
  for (const f of artifacts.functions) {
    const service = await startService({
      name: f.name,
      node: o.node,
      entry: f.path,
      env: { PX_DIRECT_ADDR: sim.address },
      readyPath: METRIC_PATH,
      accept: isMetricAnswer,
    })
    o.onFunction(f.name, await measure(service))
  }
  const callsFile = join(artifacts.dir, 'image-proxy-calls.json')
  writeFileSync(callsFile, JSON.stringify(o.floorCalls))
  const floor = await startService({
    name: 'floor',
    node: o.node,
    entry: artifacts.bareProxy.path,
    env: { PX_DIRECT_ADDR: sim.address, PROXY_CALLS: callsFile },
    readyPath: METRIC_PATH,
    accept: (r) => r.status === 200,
  })
  o.onFloor(await measure(floor, o.floorCalls))
  return seq
}
