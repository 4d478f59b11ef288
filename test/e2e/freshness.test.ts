// Push lag through the bundled throughput function: Stirling pushes rows once per second
// (pixie-io/pixie src/stirling/source_connectors/socket_tracer/socket_trace_connector.cc,
// src/stirling/stirling.cc), so the newest part of a window is usually missing, while the window
// starts at compile time (src/carnot/planner/logical_planner.cc). A steady 24 rps ReplicaSet
// must still read 24 rps within 2 % over 60 s, wherever the push tick falls.
import { describe, expect, it } from 'vitest'
import { groundTruth } from './helpers/ground-truth'
import { useOneFunction } from './helpers/harness'

const BASE = 1_800_000_000_000_000_000n
const RS = 'steady-6f7d8c9b5'

describe('e2e: a steady 24 rps ReplicaSet despite the push lag', () => {
  let now = BASE
  const running = useOneFunction('throughput', {
    scenario: {
      name: 'steady',
      seed: 11,
      history: '3m',
      namespaces: [{ name: 'web', replicasets: [{ name: RS, pods: 2, traffic: { rps: 12 } }] }],
    },
    port: 0,
    clock: () => now,
  })

  it('should answer 24 rps within 2 % over 60 s at every phase of the push tick', async () => {
    let total = 0
    const offsets = [0, 130, 260, 390, 520, 650, 780, 910]
    for (const offsetMs of offsets) {
      now = BASE + BigInt(offsetMs) * 1_000_000n
      const truth = groundTruth(running().sim.world, {
        namespace: 'web',
        selector: { replicaset: RS },
        nowNs: now,
        windowSeconds: 60,
      })
      const r = await running().fn.get(`/?namespace=web&replicaset=${RS}`)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      // The function counts exactly the rows Pixie would hold...
      expect(r.body.requests).toBe(truth.requests)
      total += truth.requests
      // ...and divides them by the span they cover: the window up to the newest pushed row.
      expect(r.body.covered_seconds as number).toBeGreaterThanOrEqual(58.8)
      expect(r.body.covered_seconds as number).toBeLessThanOrEqual(60.05)
      expect(Math.abs((r.body.rps as number) - 24) / 24).toBeLessThan(0.02)
    }
    // On average part of the newest second is not pushed yet: fewer rows than 60 full seconds.
    expect(total).toBeLessThan(offsets.length * 24 * 60)
  })
})
