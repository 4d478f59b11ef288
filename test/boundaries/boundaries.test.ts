/**
 * The import boundaries (eslint.config.mjs, lint/boundaries.mjs) fail on a wrong import and let a
 * legal one pass. Each case lints a few lines of source as if they sat at a path in the
 * repository, through ESLint's Node API with the repository's own config.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT })
})

/** The boundary messages ESLint reports for `code` placed at `file` (repository-relative). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) })
  expect(result?.fatalErrorCount).toBe(0)
  return (result?.messages ?? []).map((m) => {
    expect(m.ruleId).toBe('boundaries/no-cross-boundary-import')
    expect(m.severity).toBe(2)
    return m.message
  })
}

describe('import boundaries', () => {
  it('should fail a function that imports another function, however the path is spelled', async () => {
    expect(
      await violations(
        'functions/latency/metric.ts',
        "import { x } from '../error-rate/metric'\nexport * from '../../functions/throughput/metric'\n"
      )
    ).toEqual([
      "a function must not import another function; share it through shared/ ('../error-rate/metric')",
      "a function must not import another function; share it through shared/ ('../../functions/throughput/metric')",
    ])
  })

  it('should let a function import its own folder, shared/ and packages', async () => {
    expect(
      await violations(
        'functions/latency/metric.ts',
        "import { a } from './params'\nimport { b } from '../../shared/app'\nimport { z } from 'zod'\n"
      )
    ).toEqual([])
  })

  it('should fail shared/ code that imports simulator/, test/ or bench/', async () => {
    const messages = await violations(
      'shared/pxl/request.ts',
      [
        "import { executePxl } from '../../simulator/pxl'",
        "import type { TableSpec } from '../../test/vizier-double'",
        "const run = () => import('../../bench/run')",
      ].join('\n')
    )
    expect(messages).toHaveLength(3)
    for (const m of messages)
      expect(m).toMatch(/^shared\/ must not import simulator\/, test\/ or bench\//)
  })

  it('should let a test beside shared/ code use the stand-ins', async () => {
    expect(
      await violations(
        'shared/pxl/request.test.ts',
        "import { executePxl } from '../../simulator/pxl'\n"
      )
    ).toEqual([])
  })

  it('should fail shared/pixie/ code that imports Hono or the HTTP layer', async () => {
    expect(
      await violations(
        'shared/pixie/client.ts',
        [
          "import { Hono } from 'hono'",
          "import { bearerAuth } from 'hono/bearer-auth'",
          "import { serve } from '@hono/node-server'",
          "import { createMetricApp } from '../app'",
          "import { toResponse } from '../http-errors'",
          "import { serveMetric } from '../serve'",
        ].join('\n')
      )
    ).toEqual([
      "shared/pixie/ must not import Hono ('hono')",
      "shared/pixie/ must not import Hono ('hono/bearer-auth')",
      "shared/pixie/ must not import Hono ('@hono/node-server')",
      "shared/pixie/ must not import the HTTP layer ('../app')",
      "shared/pixie/ must not import the HTTP layer ('../http-errors')",
      "shared/pixie/ must not import the HTTP layer ('../serve')",
    ])
  })

  it('should let shared/pixie/ import its own modules, typed errors and protobuf', async () => {
    expect(
      await violations(
        'shared/pixie/client.ts',
        "import { PxCanaryError } from '../errors'\nimport { x } from './grpc-call'\nimport { create } from '@bufbuild/protobuf'\n"
      )
    ).toEqual([])
  })

  it('should hold shared/pixie/ to the rules of all of shared/ as well', async () => {
    expect(
      await violations(
        'shared/pixie/client.ts',
        "import { startVizierDouble } from '../../test/vizier-double'\n"
      )
    ).toEqual(["shared/ must not import simulator/, test/ or bench/ ('../../test/vizier-double')"])
  })
})
