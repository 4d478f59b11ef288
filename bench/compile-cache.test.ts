import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { ColdStartSample } from './cold-start'
import {
  cacheTargetNames,
  filesUnder,
  IMAGE_NODE_FLOOR,
  nodeMajor,
  primeCompileCache,
  type CompileCacheOutcome,
} from './compile-cache'
import { COMPILE_CACHE, compileCacheFigures, compileCacheSkipped, FigureTable } from './figures'
import { liveCount } from '../test/helpers/spawn'

const fixture = fileURLToPath(new URL('./fixtures/bare-http.mjs', import.meta.url))
const dirs: string[] = []
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-compile-cache-test-'))
  dirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('nodeMajor', () => {
  it('should read the major version of a node binary', () => {
    expect(nodeMajor(process.execPath)).toBe(Number(process.versions.node.split('.')[0]))
  })

  it('should give undefined for a binary that does not run', () => {
    expect(nodeMajor(join(tempDir(), 'no-such-node'))).toBeUndefined()
  })
})

describe('primeCompileCache', () => {
  it('should fill the cache on Node 22+ and refuse an empty cache on older Node', async () => {
    const dir = tempDir()
    const prime = primeCompileCache(process.execPath, fixture, dir)
    if ((nodeMajor(process.execPath) ?? 0) >= 22) {
      await prime
      expect(filesUnder(dir).length).toBeGreaterThan(0)
    } else {
      await expect(prime).rejects.toThrow(/compile cache stayed empty/)
    }
    expect(liveCount()).toBe(0)
  })

  it('should fail clearly when the entry never gets ready, and stop it', async () => {
    const dir = tempDir()
    await expect(
      primeCompileCache(process.execPath, join(dir, 'missing.mjs'), dir, 3000)
    ).rejects.toThrow(/exited before it was ready|not ready within/)
    expect(liveCount()).toBe(0)
  })
})

describe('compileCacheFigures', () => {
  const sample = (ms: number, rssMb: number): ColdStartSample => ({
    ms,
    rssBytes: rssMb * 2 ** 20,
    attempts: 1,
  })

  it("should check each function against the image node's floor, with the paired cache gain", () => {
    const names = cacheTargetNames('latency')
    const outcome: CompileCacheOutcome = {
      node: '/opt/node22',
      nodeVersion: 'v22.0.0',
      functions: ['latency'],
      cacheBytes: 1000,
      samples: new Map([
        [IMAGE_NODE_FLOOR, [100, 110, 90].map((ms) => sample(ms, 50))],
        [names.off, [160, 170, 150].map((ms) => sample(ms, 70))],
        [names.on, [120, 135, 110].map((ms) => sample(ms, 60))],
      ]),
    }
    const table = new FigureTable()
    compileCacheFigures(table, outcome)
    const byId = new Map(table.figures.map((f) => [f.id, f]))
    expect(byId.get('cold_start_image.floor.ms')?.value).toBe(100)
    expect(byId.get('cold_start_image.latency.off.x_floor')).toMatchObject({ value: 1.6 })
    expect(byId.get('cold_start_image.latency.off.x_floor')?.goal).toBeUndefined()
    expect(byId.get('cold_start_image.latency.on.x_floor')).toMatchObject({
      value: 1.2,
      goal: { met: true },
    })
    expect(byId.get('cold_start_image.latency.cache_gain.ms')?.value).toBe(-40)
    expect(byId.get('rss_image.latency.over_floor_mb')).toMatchObject({
      value: 10,
      goal: { met: true },
    })
    expect(table.figures.every((f) => f.section === COMPILE_CACHE)).toBe(true)
  })

  it('should leave the goal rows n/a, never met, with the reason when the phase is skipped', () => {
    const table = new FigureTable()
    compileCacheSkipped(table, ['latency'], 'skipped: set BENCH_IMAGE_NODE')
    expect(table.figures).toHaveLength(3)
    for (const f of table.figures) {
      expect(f).toMatchObject({ value: null, note: 'skipped: set BENCH_IMAGE_NODE' })
    }
    expect(table.figures.filter((f) => f.goal).map((f) => f.goal?.met)).toEqual([false, false])
  })
})
