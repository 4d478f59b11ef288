import { describe, expect, it } from 'vitest'
import {
  allocationsByFunction,
  allocationsByModule,
  excessBytes,
  moduleOfUrl,
} from './heap-summary'
import type { HeapSampleNode } from './heap-summary'

const node = (url: string, selfSize: number, children: HeapSampleNode[] = []): HeapSampleNode => ({
  callFrame: { functionName: 'f', url, lineNumber: 0 },
  selfSize,
  children,
})

describe('moduleOfUrl', () => {
  it('should name repository folders, npm packages, Node builtins and V8 itself', () => {
    expect(moduleOfUrl('file:///repo/shared/pixie/client.ts', '/repo')).toBe('shared/pixie')
    expect(moduleOfUrl('file:///repo/node_modules/hono/dist/context.js', '/repo')).toBe('hono')
    expect(moduleOfUrl('node:internal/http2/core', '/repo')).toBe('node:internal/http2')
    expect(moduleOfUrl('', '/repo')).toBe('(V8)')
  })
})

describe('allocationsByModule', () => {
  it('should add up the whole tree per module and divide by the requests', () => {
    const head = node('', 0, [
      node('file:///repo/shared/pixie/client.ts', 3000, [
        node('file:///repo/shared/pixie/vizierapi.ts', 5000),
        node('node:internal/http2/core', 2000),
      ]),
      node('file:///repo/shared/app.ts', 1000, [node('', 1000)]),
    ])
    expect(allocationsByModule(head, 10, '/repo')).toEqual({
      total: 1200,
      modules: [
        { name: 'shared/pixie', bytes: 800 },
        { name: 'node:internal/http2', bytes: 200 },
        { name: '(V8)', bytes: 100 },
        { name: 'shared/app.ts', bytes: 100 },
      ],
    })
  })
})

describe('allocationsByFunction', () => {
  it('should add up one module by function name and file, anonymous ones per file', () => {
    const named = (
      name: string,
      url: string,
      selfSize: number,
      children: HeapSampleNode[] = []
    ) => ({
      ...node(url, selfSize, children),
      callFrame: { functionName: name, url, lineNumber: 0 },
    })
    const head = node('', 0, [
      named('decode', 'file:///repo/shared/pixie/vizierapi.ts', 400, [
        named('', 'file:///repo/shared/pixie/vizierapi.ts', 300),
        named('', 'file:///repo/shared/pixie/vizierapi.ts', 500),
        named('decode', 'file:///repo/shared/pixie/vizierapi.ts', 200),
      ]),
      named('next', 'file:///repo/shared/pixie/grpc-call.ts', 100),
      named('measure', 'file:///repo/shared/metric-handler.ts', 900),
    ])
    expect(allocationsByFunction(head, 2, '/repo', 'shared/pixie')).toEqual([
      { name: '(anonymous) shared/pixie/vizierapi.ts', bytes: 400 },
      { name: 'decode shared/pixie/vizierapi.ts', bytes: 300 },
      { name: 'next shared/pixie/grpc-call.ts', bytes: 50 },
    ])
  })
})

describe('excessBytes', () => {
  it('should subtract the base module by module, keeping modules only one side has', () => {
    expect(
      excessBytes(
        [
          { name: 'shared/pixie', bytes: 900 },
          { name: 'hono', bytes: 300 },
        ],
        [
          { name: 'hono', bytes: 100 },
          { name: 'node:net', bytes: 50 },
        ]
      )
    ).toEqual([
      { name: 'shared/pixie', bytes: 900 },
      { name: 'hono', bytes: 200 },
      { name: 'node:net', bytes: -50 },
    ])
  })
})
