import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { ColdStartSample } from './cold-start'
import {
  cacheTargetNames,
  filesUnder,
  NODE22_FLOOR,
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
  const sample = (ms: number): ColdStartSample => ({ ms, rssBytes: 64 * 2 ** 20, attempts: 1 })

  it('should report each function against the node22 floor, with the paired cache gain', () => {
    const names = cacheTargetNames('latency')
    const outcome: CompileCacheOutcome = {
      node: '/opt/node22',
      nodeVersion: 'v22.0.0',
      functions: ['latency'],
      cacheBytes: 1000,
      samples: new Map([
        [NODE22_FLOOR, [100, 110, 90].map(sample)],
        [names.off, [160, 170, 150].map(sample)],
        [names.on, [150, 165, 140].map(sample)],
      ]),
    }
    const table = new FigureTable()
    compileCacheFigures(table, outcome)
    const byId = new Map(table.figures.map((f) => [f.id, f]))
    expect(byId.get('cold_start_node22.floor.ms')?.value).toBe(100)
    expect(byId.get('cold_start_node22.latency.off.x_floor')?.value).toBeCloseTo(160 / 100)
    expect(byId.get('cold_start_node22.latency.on.x_floor')?.value).toBeCloseTo(150 / 100)
    expect(byId.get('cold_start_node22.latency.cache_gain.ms')?.value).toBe(-10)
    expect(table.figures.every((f) => f.section === COMPILE_CACHE && f.goal === undefined)).toBe(
      true
    )
  })

  it('should leave one n/a row with the reason when the phase is skipped', () => {
    const table = new FigureTable()
    compileCacheSkipped(table, 'skipped: set BENCH_NODE22')
    expect(table.figures).toHaveLength(1)
    expect(table.figures[0]).toMatchObject({ value: null, note: 'skipped: set BENCH_NODE22' })
  })
})
