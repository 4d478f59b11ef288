import { build } from 'esbuild'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureColdStart, runColdStartRounds, type ColdStartTarget } from './cold-start'
import { isOk } from './http-probe'
import { liveCount } from '../test/helpers/spawn'

let dir = ''
let floor: ColdStartTarget

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-cold-start-test-'))
  const entry = join(dir, 'bare-http.mjs')
  await build({
    entryPoints: [new URL('./fixtures/bare-http.mjs', import.meta.url).pathname],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  })
  floor = { name: 'floor', entry, path: '/', accept: isOk }
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('measureColdStart', () => {
  it('should time spawn to first answer and read the resident size after it', async () => {
    const sample = await measureColdStart(floor)
    expect(sample.ms).toBeGreaterThan(0)
    expect(sample.attempts).toBeGreaterThanOrEqual(1)
    expect(sample.rssBytes).toBeGreaterThan(1024 * 1024)
    expect(liveCount()).toBe(0)
  })

  it('should give up at the deadline when no answer is accepted, and stop the child', async () => {
    const never: ColdStartTarget = { ...floor, name: 'never', accept: () => false }
    await expect(measureColdStart(never, { deadlineMs: 2500 })).rejects.toThrow(
      /cold start of never: no accepted answer within 2500 ms \(last: HTTP 200/
    )
    expect(liveCount()).toBe(0)
  })

  it('should report a child that exits before answering, with its stderr', async () => {
    const entry = join(dir, 'crash.mjs')
    writeFileSync(entry, "console.error('boom: missing PX_DIRECT_ADDR'); process.exit(3)\n")
    const crash: ColdStartTarget = { name: 'crash', entry, path: '/', accept: isOk }
    await expect(measureColdStart(crash, { deadlineMs: 10_000 })).rejects.toThrow(
      /exited early \(code 3.*stderr: boom: missing PX_DIRECT_ADDR/
    )
  })
})

describe('runColdStartRounds', () => {
  it('should keep only the measured rounds for every target', async () => {
    const other: ColdStartTarget = { ...floor, name: 'floor again' }
    const seen: string[] = []
    const samples = await runColdStartRounds([floor, other], {
      runs: 2,
      warmups: 1,
      seed: 3,
      onSample: (name) => seen.push(name),
    })
    expect(samples.get('floor')).toHaveLength(2)
    expect(samples.get('floor again')).toHaveLength(2)
    expect(seen).toHaveLength(4)
    expect(liveCount()).toBe(0)
  })

  it('should drop a target that fails a warm-up round and keep measuring the others', async () => {
    const entry = join(dir, 'crash-too.mjs')
    writeFileSync(entry, 'process.exit(4)\n')
    const crash: ColdStartTarget = { name: 'crash', entry, path: '/', accept: isOk }
    const dropped: string[] = []
    const samples = await runColdStartRounds([floor, crash], {
      runs: 1,
      warmups: 1,
      seed: 5,
      onWarmupFailure: (name, err) => dropped.push(`${name}: ${err.message}`),
    })
    expect(dropped).toHaveLength(1)
    expect(dropped[0]).toMatch(/^crash: .*exited early \(code 4/)
    expect(samples.has('crash')).toBe(false)
    expect(samples.get('floor')).toHaveLength(1)
  })
})
