import { describe, expect, it } from 'vitest'
import { DIRECT_TAG_OFFSET, retagCall } from './load-protocol'
import type { ReplayCall } from './load-protocol'
import { seqOfCall, taggedPath } from './queries'

describe('retagCall', () => {
  const call: ReplayCall = {
    script: 'import px',
    queryName: 'px-canary/latency',
    execFuncs: [
      {
        funcName: 'http_stats',
        args: { namespace: 'default', excluded_paths: '/healthz,/readyz,/bench-17' },
        outputTablePrefix: 'out',
      },
      {
        funcName: 'http_stats_baseline',
        args: { excluded_paths: '/healthz,/bench-17' },
        outputTablePrefix: 'base',
      },
    ],
  }

  it('should make a replayed call the fresh query of its pair, changing nothing else', () => {
    const fresh = retagCall(call, 42 + DIRECT_TAG_OFFSET)
    expect(seqOfCall(fresh.execFuncs)).toBe(42 + DIRECT_TAG_OFFSET)
    expect(fresh.execFuncs.map((f) => f.args.excluded_paths)).toEqual([
      `/healthz,/readyz,/bench-${42 + DIRECT_TAG_OFFSET}`,
      `/healthz,/bench-${42 + DIRECT_TAG_OFFSET}`,
    ])
    expect(fresh.execFuncs[0]?.args.namespace).toBe('default')
    expect({ ...fresh, execFuncs: [] }).toEqual({ ...call, execFuncs: [] })
    // The recorded call is left as it was, for the next pair that replays it.
    expect(seqOfCall(call.execFuncs)).toBe(17)
  })

  it('should never give a direct half a tag the function sends in the same job', () => {
    const seqs = [0, 1, 999_999]
    const direct = seqs.map((seq) => seqOfCall(retagCall(call, seq + DIRECT_TAG_OFFSET).execFuncs))
    expect(direct.some((tag) => seqs.includes(tag ?? -1))).toBe(false)
    expect(new Set(direct).size).toBe(seqs.length)
  })

  it('should leave a call without a tag unchanged', () => {
    const untagged = { ...call, execFuncs: [{ ...call.execFuncs[0]!, args: { a: '/x' } }] }
    expect(retagCall(untagged, 5)).toEqual(untagged)
    expect(taggedPath('9')).toContain('/bench-9')
  })
})
