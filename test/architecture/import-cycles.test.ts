// No import circle anywhere in the repository's TypeScript: a circle makes module order matter
// and hides which room owns what. Type-only imports count too, since they tie the modules'
// meanings together just the same.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const DIRS = ['functions', 'shared', 'simulator', 'test', 'bench', 'scripts']
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g

function sources(dir: string): string[] {
  let out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'gen') continue
    if (statSync(path).isDirectory()) out = out.concat(sources(path))
    else if (name.endsWith('.ts')) out.push(path)
  }
  return out
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec)
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not this candidate
    }
  }
  return undefined
}

/** Import graph: file -> files it imports (relative imports only). */
function graph(): Map<string, string[]> {
  const files = DIRS.flatMap((d) => {
    try {
      return sources(join(ROOT, d))
    } catch {
      return []
    }
  })
  const edges = new Map<string, string[]>()
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const targets: string[] = []
    for (const match of text.matchAll(IMPORT)) {
      const target = resolveImport(file, match[1]!)
      if (target !== undefined) targets.push(target)
    }
    edges.set(file, targets)
  }
  return edges
}

/** Every circle found by a depth-first search, as repository paths. */
function findCycles(edges: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles: string[][] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') {
        cycles.push(
          stack
            .slice(stack.indexOf(next))
            .concat(next)
            .map((f) => relative(ROOT, f))
        )
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of edges.keys()) if (!state.has(file)) visit(file)
  return cycles
}

describe('imports', () => {
  it('should find a circle when there is one', () => {
    const edges = new Map([
      ['/a.ts', ['/b.ts']],
      ['/b.ts', ['/c.ts']],
      ['/c.ts', ['/a.ts']],
    ])
    expect(findCycles(edges)).toHaveLength(1)
  })

  it('should have no circle in the repository', () => {
    const edges = graph()
    expect(edges.size).toBeGreaterThan(100)
    expect(findCycles(edges)).toEqual([])
  })
})
