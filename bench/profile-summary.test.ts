import { describe, expect, it } from 'vitest'
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  moduleExcess,
  moduleOf,
  renderSummary,
  summarizeProfile,
  type CpuProfile,
} from './profile-summary'

const frame = (functionName: string, url = '', lineNumber = -1, columnNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber,
})

describe('moduleOf', () => {
  it('should name npm packages, scoped or not, and repository folders', () => {
    expect(moduleOf('node_modules/zod/v4/core/core.js')).toBe('zod')
    expect(moduleOf('../../node_modules/@hono/node-server/dist/index.mjs')).toBe(
      '@hono/node-server'
    )
    expect(moduleOf('shared/pixie/vizierapi.ts')).toBe('shared/pixie')
    expect(moduleOf('shared/app.ts')).toBe('shared/app.ts')
  })
})

describe('summarizeProfile', () => {
  // Samples at 0, 1000, 3000, 6000 us: each counts until the next one (the last counts 0).
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(garbage collector)') },
      { id: 3, callFrame: frame('parse', 'node:internal/url', 9, 0) },
      { id: 4, callFrame: frame('emit', 'node:events', 1, 0) },
    ],
    startTime: 0,
    endTime: 6000,
    samples: [2, 3, 4, 3],
    timeDeltas: [0, 1000, 2000, 3000],
  }

  it('should add up self time per module and per function, largest first', () => {
    const s = summarizeProfile(profile)
    expect(s.totalMs).toBe(6)
    expect(s.modules).toEqual([
      { name: 'node:events', ms: 3 },
      { name: 'node:internal/url', ms: 2 },
      { name: '(garbage collector)', ms: 1 },
    ])
    expect(s.functions[0]).toEqual({ name: 'node:events:2 emit', ms: 3 })
    expect(renderSummary('t', s)).toContain('50.0%  node:events')
  })

  it('should count only the samples inside a time window', () => {
    const s = summarizeProfile(profile, { window: { fromUs: 500, toUs: 3500 } })
    expect(s.totalMs).toBe(3)
    expect(s.modules).toEqual([
      { name: 'node:events', ms: 3 },
      { name: 'node:internal/url', ms: 2 },
    ])
  })

  it('should subtract the floor per request, module by module, leaving out idle time', () => {
    const fn = {
      totalMs: 10,
      modules: [
        { name: '(idle)', ms: 5 },
        { name: 'shared/pixie', ms: 4 },
        { name: 'node:events', ms: 2 },
      ],
      functions: [],
    }
    const floor = {
      totalMs: 10,
      modules: [
        { name: '(idle)', ms: 1 },
        { name: 'node:events', ms: 3 },
        { name: 'node:net', ms: 0.5 },
      ],
      functions: [],
    }
    // The function served 2 requests (ms per request: pixie 2, events 1); the floor 1 request.
    expect(moduleExcess(fn, 2, floor, 1)).toEqual([
      { name: 'shared/pixie', ms: 2 },
      { name: 'node:net', ms: -0.5 },
      { name: 'node:events', ms: -2 },
    ])
  })

  it('should map a real profile of a minified bundle back to its source file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-summary-'))
    try {
      const source = join(dir, 'busy.ts')
      writeFileSync(
        source,
        [
          // Bounded by CPU time, not wall time, so a loaded machine cannot starve the spin of
          // samples and leave Node's own start-up on top.
          'export function spin(ms: number): number {',
          '  let n = 0',
          '  const end = process.cpuUsage().user + ms * 1000',
          '  while (process.cpuUsage().user < end) for (let i = 0; i < 100000; i++) n = (n + i) | 0',
          '  return n',
          '}',
          'spin(200)',
        ].join('\n')
      )
      const entry = join(dir, 'busy.mjs')
      await build({
        entryPoints: [source],
        outfile: entry,
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'node',
        sourcemap: true,
        logLevel: 'silent',
      })
      const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, entry], {
        timeout: 20_000,
      })
      expect(run.status).toBe(0)
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
      expect(file).toBeDefined()
      const s = summarizeProfile(
        JSON.parse(readFileSync(join(dir, file as string), 'utf8')) as CpuProfile,
        {
          sourceMaps: new Map([
            [pathToFileURL(entry).href, JSON.parse(readFileSync(`${entry}.map`, 'utf8'))],
          ]),
          repoRoot: dir,
        }
      )
      // The loop spins for 200 ms; Node's own start-up functions take a few ms each.
      // (Builtins such as performance.now have no script: they count as "(native)".)
      const top = s.functions.find((f) => /^[^(]\S*:\d+ /.test(f.name))
      expect(top?.name).toMatch(/^busy\.ts:\d+ /)
      expect(s.modules.find((m) => !m.name.startsWith('('))?.name).toBe('busy.ts')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
