import { describe, expect, it } from 'vitest'
import { codeOf } from '../test/helpers/code-of'
import { PxCanaryError } from './errors'
import type { ScriptResult, VizierClient } from './pixie/types'
import { buildHttpStatsCall } from './pxl/request'
import { createQueryRunner } from './query-runner'
import { statsResult } from '../test/helpers/stats-result'

const callFor = (pod: string) =>
  buildHttpStatsCall(
    {
      selector: { kind: 'pod', namespace: 'a', pod },
      windowSeconds: 60,
      excludedPaths: [],
      errorMinStatus: 400,
    },
    'q'
  )
const call = callFor('b')

/** A client whose calls wait until the test releases them, in arrival order. */
function gatedClient() {
  const pending: { pod: string; timeoutMs?: number; release: () => void }[] = []
  const client: VizierClient = {
    executeScript: (options) =>
      new Promise<ScriptResult>((resolve, reject) => {
        const pod = options.execFuncs?.[0]?.args.pod_prefix ?? ''
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')))
        pending.push({
          pod,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          release: () => resolve(statsResult({ requests: pod.length })),
        })
      }),
    close: async () => {},
  }
  return { client, pending }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

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

  it("should answer a request that joined a hung query by that query's deadline", async () => {
    let calls = 0
    const client: VizierClient = {
      executeScript: () => {
        calls += 1
        return new Promise<ScriptResult>(() => {})
      },
      close: async () => {},
    }
    const runner = createQueryRunner({ client, timeoutMs: 30, maxConcurrent: 4 })
    const first = codeOf(runner.run(call))
    await tick()
    const joined = codeOf(runner.run(call))
    expect(await first).toBe('pixie_deadline_exceeded')
    expect(await joined).toBe('pixie_deadline_exceeded')
    expect(calls).toBe(1)
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

  it('should make excess queries wait for a free slot instead of refusing them', async () => {
    const { client, pending } = gatedClient()
    const runner = createQueryRunner({ client, timeoutMs: 5000, maxConcurrent: 2 })
    const answers = ['b', 'cc', 'ddd', 'eeee'].map((pod) => runner.run(callFor(pod)))
    await tick()
    expect(pending.map((p) => p.pod)).toEqual(['a/b', 'a/cc'])
    expect(runner.inFlight).toBe(2)
    expect(runner.queued).toBe(2)
    pending[0]!.release()
    await tick()
    expect(pending.map((p) => p.pod)).toEqual(['a/b', 'a/cc', 'a/ddd'])
    pending[1]!.release()
    await tick()
    pending[2]!.release()
    await tick()
    pending[3]!.release()
    const results = await Promise.all(answers)
    expect(results.map((r) => r.tables.get('http_stats')?.rows[0]?.requests)).toEqual([
      3n,
      4n,
      5n,
      6n,
    ])
    expect(runner.inFlight).toBe(0)
    expect(runner.queued).toBe(0)
  })

  it('should give a query that started late only the time left of its deadline', async () => {
    const { client, pending } = gatedClient()
    let clock = 0
    const runner = createQueryRunner({
      client,
      timeoutMs: 5000,
      maxConcurrent: 1,
      now: () => clock,
    })
    const first = runner.run(callFor('b'))
    const second = runner.run(callFor('c'))
    await tick()
    clock = 1500
    pending[0]!.release()
    await first
    await tick()
    expect(pending.map((p) => p.timeoutMs)).toEqual([5000, 3500])
    pending[1]!.release()
    await second
  })

  it('should answer overloaded when no slot frees up before the deadline', async () => {
    const { client, pending } = gatedClient()
    const runner = createQueryRunner({ client, timeoutMs: 50, maxConcurrent: 1 })
    const first = runner.run(callFor('b'))
    const waiting = runner.run(callFor('c'))
    const joined = runner.run(callFor('c'))
    expect(await codeOf(waiting)).toBe('overloaded')
    expect(await codeOf(joined)).toBe('overloaded')
    expect(await codeOf(first)).toBe('pixie_deadline_exceeded')
    // The waiting query never reached Pixie.
    expect(pending.map((p) => p.pod)).toEqual(['a/b'])
    expect(runner.queued).toBe(0)
  })

  it('should answer overloaded at once when the waiting queue is full', async () => {
    const { client, pending } = gatedClient()
    const runner = createQueryRunner({ client, timeoutMs: 5000, maxConcurrent: 1, maxQueued: 1 })
    const running = runner.run(callFor('b'))
    const waiting = runner.run(callFor('c'))
    expect(await codeOf(runner.run(callFor('d')))).toBe('overloaded')
    // An identical request still joins the waiting one rather than being refused.
    const joined = runner.run(callFor('c'))
    await tick()
    pending[0]!.release()
    await running
    await tick()
    pending[1]!.release()
    expect((await waiting).tables.size).toBe(1)
    expect(await joined).toBe(await waiting)
    expect(pending).toHaveLength(2)
  })

  it('should share one waiting query among identical requests', async () => {
    const { client, pending } = gatedClient()
    const runner = createQueryRunner({ client, timeoutMs: 5000, maxConcurrent: 1 })
    const first = runner.run(callFor('b'))
    const same = Array.from({ length: 10 }, () => runner.run(callFor('c')))
    await tick()
    expect(runner.queued).toBe(1)
    pending[0]!.release()
    await first
    await tick()
    pending[1]!.release()
    const results = await Promise.all(same)
    expect(new Set(results).size).toBe(1)
    expect(pending).toHaveLength(2)
  })

  it('should read a transport failure at the deadline edge as the deadline, not before it', async () => {
    let clock = 0
    let fail!: (err: unknown) => void
    const client: VizierClient = {
      executeScript: () => new Promise<ScriptResult>((_, reject) => (fail = reject)),
      close: async () => {},
    }
    const runner = createQueryRunner({
      client,
      timeoutMs: 5000,
      maxConcurrent: 4,
      now: () => clock,
    })
    const cancelled = () =>
      new PxCanaryError('pixie_transport_error', 'Pixie failed the call with Canceled', {
        details: { grpc_code: 'Canceled' },
      })
    const early = runner.run(callFor('early'))
    await tick()
    clock = 1000
    fail(cancelled())
    expect(await codeOf(early)).toBe('pixie_transport_error')
    const late = runner.run(callFor('late'))
    await tick()
    clock = 1000 + 5000 - 100
    fail(cancelled())
    expect(await codeOf(late)).toBe('pixie_deadline_exceeded')
    const unavailable = runner.run(callFor('other'))
    await tick()
    clock = 1000 + 5000 + 5000 - 100
    fail(new PxCanaryError('pixie_unavailable', 'down'))
    expect(await codeOf(unavailable)).toBe('pixie_unavailable')
  })
})
