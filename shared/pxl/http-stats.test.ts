import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  HTTP_LATENCY_FUNCTIONS,
  HTTP_STATS_FUNCTIONS,
  HTTP_STATS_SCRIPT,
  HTTP_STATS_TABLE,
} from './http-stats'
import { httpStatsArgs } from './request'
import type { HttpStatsQuery } from './request'
import {
  checkPxlAst,
  expectPxlStatementsOnly,
  HAS_PYTHON,
  HTTP_SCRIPT_PX_FUNCTIONS,
  pxFunctionsUsed,
  signatures,
} from '../../test/helpers/pxl-source'

const source = HTTP_STATS_SCRIPT.source

const query = (selector: HttpStatsQuery['selector']): HttpStatsQuery => ({
  selector,
  windowSeconds: 60,
  excludedPaths: ['/healthz'],
  errorMinStatus: 400,
})

describe('HTTP stats PxL script', () => {
  it('should use only statements Pixie compiles (import, def, assignment, return)', () => {
    expectPxlStatementsOnly(source)
  })

  it('should not contain constructs PxL lacks (if, for, lambda, f-strings, augmented assignment)', () => {
    for (const forbidden of [
      /\bif\b/,
      /\bfor\b/,
      /\bwhile\b/,
      /\blambda\b/,
      /\belse\b/,
      /\bf'/,
      /\bf"/,
      /[-+*/]=/,
      /\bclass\b/,
      /\btry\b/,
    ]) {
      expect(source).not.toMatch(forbidden)
    }
  })

  it('should call only px functions the simulator and Pixie both provide', () => {
    const used = pxFunctionsUsed(source)
    const known = HTTP_SCRIPT_PX_FUNCTIONS
    for (const name of used) expect(known).toContain(name)
  })

  const EXEC_FUNCTIONS = [
    ...Object.values(HTTP_STATS_FUNCTIONS),
    ...Object.values(HTTP_LATENCY_FUNCTIONS),
  ]

  it('should annotate every argument of every exec function', () => {
    const sigs = signatures(source)
    for (const funcName of EXEC_FUNCTIONS) {
      const params = sigs.get(funcName)
      expect(params, funcName).toBeDefined()
      for (const [name, annotation] of params!) {
        expect(['str', 'int'], `${funcName}(${name})`).toContain(annotation)
      }
    }
  })

  it('should receive exactly the arguments its signature declares, for each selector kind', () => {
    const sigs = signatures(source)
    const selectors: HttpStatsQuery['selector'][] = [
      { kind: 'replicaset', namespace: 'shop', replicaset: 'web-6d8f9' },
      { kind: 'pod', namespace: 'shop', pod: 'web-6d8f9' },
      { kind: 'service', namespace: 'shop', service: 'web' },
    ]
    for (const selector of selectors) {
      const { funcName, args } = httpStatsArgs(query(selector))
      // The latency function of the same kind takes the same arguments.
      for (const name of [funcName, HTTP_LATENCY_FUNCTIONS[selector.kind]]) {
        const params = sigs.get(name)!
        expect(Object.keys(args).sort()).toEqual(params.map(([param]) => param).sort())
        for (const [param, annotation] of params) {
          if (annotation === 'int') expect(args[param]).toMatch(/^\d+$/)
        }
      }
    }
  })

  it('should aggregate without groupby so exactly one row comes back', () => {
    // The latency buckets group on the bucket index alone (at most 110 rows); the per-node
    // earliest rows on the agent id (one row per node), merged into the rows before the agg.
    expect([...source.matchAll(/groupby\((.*?)\)/g)].map((m) => m[1])).toEqual([
      "'asid'",
      "'bucket'",
    ])
    const stats = source.slice(source.indexOf('def _summarize'), source.indexOf('def _echo'))
    expect(stats).toMatch(/df\.agg\(/)
    expect(stats).not.toMatch(/groupby/)
  })

  it('should keep only inbound server-side requests', () => {
    expect(source).toContain('df[df.trace_role == 2]')
  })

  it('should report the SHA-256 of its exact source', () => {
    const expected = createHash('sha256').update(source).digest('hex')
    expect(HTTP_STATS_SCRIPT.sha256).toBe(expected)
    expect(HTTP_STATS_SCRIPT.sha256).toBe(HTTP_STATS_SCRIPT.sha256)
  })

  it('should name its output table as the builders expect', () => {
    expect(HTTP_STATS_TABLE).toBe('http_stats')
  })

  it.skipIf(!HAS_PYTHON)('should parse as Python using only AST nodes Pixie accepts', () => {
    const run = checkPxlAst(source)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })
})
