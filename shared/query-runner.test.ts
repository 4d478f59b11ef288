import { describe, expect, it } from 'vitest'
import { PxCanaryError } from './errors'
import type { ScriptResult, VizierClient } from './pixie/types'
import { buildHttpStatsCall } from './pxl/request'
import { createQueryRunner } from './query-runner'
import { statsResult } from './testing/stats-result'

const call = buildHttpStatsCall(
  {
    selector: { kind: 'pod', namespace: 'a', pod: 'b' },
    windowSeconds: 60,
    excludedPaths: [],
    errorMinStatus: 400,
  },
  'q'
)

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (err) {
    return err instanceof PxCanaryError ? err.code : `not a PxCanaryError: ${String(err)}`
  }
  return undefined
}

describe('createQueryRunner', () => {
  it('should not stay wedged on a key when the client ignores the abort', async () => {
    let calls = 0
    const client: VizierClient = {
      executeScript: () => {
        calls += 1
        // The first call never settles, whatever the signal says; later ones answer.
        return calls === 1
          ? new Promise<ScriptResult>(() => {})
          : Promise.resolve(statsResult({ requests: 1 }))
      },
      close: async () => {},
    }
    const runner = createQueryRunner({ client, timeoutMs: 30, maxConcurrent: 4 })
    expect(await codeOf(runner.run(call))).toBe('pixie_deadline_exceeded')
    expect(runner.inFlight).toBe(0)
    const result = await runner.run(call)
    expect(result.tables.size).toBe(1)
    expect(calls).toBe(2)
  })

  it('should turn a synchronous throw of the client into a rejection', async () => {
    const client: VizierClient = {
      executeScript: () => {
        throw new PxCanaryError('pixie_unavailable', 'down')
      },
      close: async () => {},
    }
    const runner = createQueryRunner({ client, timeoutMs: 1000, maxConcurrent: 4 })
    expect(await codeOf(runner.run(call))).toBe('pixie_unavailable')
    expect(runner.inFlight).toBe(0)
  })

  it('should report the deadline when the client rejects because it was aborted', async () => {
    const client: VizierClient = {
      executeScript: (options) =>
        new Promise((_, reject) =>
          options.signal?.addEventListener('abort', () =>
            reject(new Error('The operation was aborted'))
          )
        ),
      close: async () => {},
    }
    const runner = createQueryRunner({ client, timeoutMs: 30, maxConcurrent: 4 })
    expect(await codeOf(runner.run(call))).toBe('pixie_deadline_exceeded')
  })
})
