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
import { checkPxlAst, HAS_PYTHON } from '../../test/helpers/pxl-python'

const source = HTTP_STATS_SCRIPT.source
const lines = source.split('\n')

/** name -> [param, annotation | undefined][] for every def in the script. */
function signatures(): Map<string, [string, string | undefined][]> {
  const result = new Map<string, [string, string | undefined][]>()
  for (const line of lines) {
    const match = /^def (\w+)\((.*)\):$/.exec(line)
    if (match === null) continue
    const params = match[2]!.split(',').map((p) => {
      const [name, annotation] = p.split(':').map((s) => s.trim())
      return [name!, annotation] as [string, string | undefined]
    })
    result.set(match[1]!, params)
  }
  return result
}

const query = (selector: HttpStatsQuery['selector']): HttpStatsQuery => ({
  selector,
  windowSeconds: 60,
  excludedPaths: ['/healthz'],
  errorMinStatus: 400,
})

describe('HTTP stats PxL script', () => {
  it('should use only statements Pixie compiles (import, def, assignment, return)', () => {
    for (const line of lines) {
      if (line.trim() === '') continue
      const allowed =
        line === 'import px' ||
        /^def \w+\([^=*]*\):$/.test(line) ||
        /^ {4}(df|df\.\w+) = \S/.test(line) ||
        /^ {4}return \S/.test(line)
      expect(allowed, `line not in the PxL subset: ${line}`).toBe(true)
    }
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
    const used = new Set([...source.matchAll(/px\.(\w+)/g)].map((m) => m[1]))
    const known = [
      'DataFrame',
      'regex_match',
      'count',
      'sum',
      'quantiles',
      'pluck_float64',
      'find',
      'has_service_name',
      // The latency buckets (shared/stats/buckets.ts): registered in Carnot's math_ops.cc.
      'select',
      'floor',
      'log2',
      // What the rows cover (shared/pxl/coverage.ts): px.min/px.max registered for TIME64NS in
      // pixie-io/pixie src/carnot/funcs/builtins/math_ops.cc, px.now in
      // src/carnot/planner/objects/pixie_module.cc, px.upid_to_asid in
      // src/carnot/funcs/metadata/metadata_ops.cc.
      'min',
      'max',
      'now',
      'upid_to_asid',
    ]
    for (const name of used) expect(known).toContain(name)
  })

  const EXEC_FUNCTIONS = [
    ...Object.values(HTTP_STATS_FUNCTIONS),
    ...Object.values(HTTP_LATENCY_FUNCTIONS),
  ]

  it('should annotate every argument of every exec function', () => {
    const sigs = signatures()
    for (const funcName of EXEC_FUNCTIONS) {
      const params = sigs.get(funcName)
      expect(params, funcName).toBeDefined()
      for (const [name, annotation] of params!) {
        expect(['str', 'int'], `${funcName}(${name})`).toContain(annotation)
      }
    }
  })

  it('should receive exactly the arguments its signature declares, for each selector kind', () => {
    const sigs = signatures()
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
