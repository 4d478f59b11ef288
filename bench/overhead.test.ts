import { describe, expect, it } from 'vitest'
import { excludedPathsPattern } from '../shared/pxl/exclusion'
import { pairWithSimulator, replayCalls } from './overhead'
import type { HostRecord } from './simulator-client'

function record(
  seq: number | undefined,
  engineMs: number | null,
  extra: Partial<HostRecord> = {}
): HostRecord {
  const paths = seq === undefined ? ['/healthz'] : ['/healthz', `/bench-${seq}`]
  return {
    queryStr: 'px.display(df)',
    execFuncs: [
      {
        funcName: 'stats',
        args: { excluded_paths: excludedPathsPattern(paths) },
        outputTablePrefix: 'out',
      },
    ],
    queryName: 'px-canary/latency',
    rowsScanned: 100,
    rowsReturned: 1,
    outcome: 'ok',
    engineMs,
    ...extra,
  }
}

describe('pairWithSimulator', () => {
  it('should subtract the simulator time of the same query from each request latency', () => {
    const paired = pairWithSimulator(
      { latenciesMs: [10, 20, 30], seqs: [7, 8, 9], entryOk: [true, true, true] },
      [record(9, 25), record(7, 4), record(8, 15)]
    )
    expect(paired.pairedMs).toEqual([6, 5, 5])
    expect(paired.simulatorMs).toEqual([4, 15, 25])
  })

  it('should leave out failed requests and queries not recorded, failed or without a time', () => {
    const paired = pairWithSimulator(
      {
        latenciesMs: [10, 20, 30, 40, 50],
        seqs: [1, 2, 3, 4, 5],
        entryOk: [true, true, true, true, false],
      },
      [
        record(1, 2),
        record(2, null),
        record(3, 5, { outcome: 'runtime_error' }),
        record(undefined, 1),
        record(5, 1),
      ]
    )
    expect(paired.pairedMs).toEqual([8])
  })
})

describe('replayCalls', () => {
  it('should keep only successful calls that still carry their PxL source', () => {
    const calls = replayCalls([
      record(1, 1),
      record(2, 1, { queryStr: undefined }),
      record(3, 1, { outcome: 'fault' }),
    ])
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ script: 'px.display(df)', queryName: 'px-canary/latency' })
  })

  it('should cap the number of calls', () => {
    expect(
      replayCalls(
        Array.from({ length: 10 }, (_, i) => record(i, 1)),
        3
      )
    ).toHaveLength(3)
  })
})
