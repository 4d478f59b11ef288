import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { compositionOf, sizeOf } from './build'

describe('sizeOf', () => {
  it('should report the bytes on disk and a gzip that decompresses to them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-size-test-'))
    try {
      const file = join(dir, 'a.mjs')
      const content = 'export const a = 1;\n'.repeat(200)
      writeFileSync(file, content)
      const info = sizeOf('a', file)
      expect(info.bytes).toBe(Buffer.byteLength(content))
      expect(info.gzipBytes).toBeLessThan(info.bytes)
      expect(info.gzipBytes).toBe(gzipSync(content, { level: 9 }).length)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('compositionOf', () => {
  it('should group bytes by npm package (scoped or not) and by source folder, largest first', () => {
    const parts = compositionOf({
      outputs: {
        'out.mjs': {
          inputs: {
            'node_modules/@bufbuild/protobuf/dist/esm/a.js': { bytesInOutput: 300 },
            'node_modules/@bufbuild/protobuf/dist/esm/b.js': { bytesInOutput: 200 },
            'node_modules/hono/dist/index.js': { bytesInOutput: 100 },
            'shared/pixie/client.ts': { bytesInOutput: 50 },
            'shared/pixie/values.ts': { bytesInOutput: 25 },
            'functions/latency/index.ts': { bytesInOutput: 0 },
          },
        },
      },
    })
    expect(parts).toEqual([
      { part: '@bufbuild/protobuf', bytes: 500 },
      { part: 'hono', bytes: 100 },
      { part: 'shared/pixie', bytes: 75 },
    ])
  })
})
