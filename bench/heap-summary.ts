/**
 * Summarises a V8 sampling heap profile (what inspector `HeapProfiler.stopSampling` returns) as
 * bytes per request by module: a repository folder or file, an npm package, a Node builtin, or
 * '(V8)' for frames without a script (V8's own builtins and runtime).
 */
import { fileURLToPath } from 'node:url'
import { moduleOf } from './profile-summary'

/** A node of the profile's call tree (Chrome DevTools protocol, SamplingHeapProfileNode). */
export interface HeapSampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  /** Bytes sampled as allocated by this frame itself. */
  selfSize: number
  children: HeapSampleNode[]
}

export interface ModuleBytes {
  name: string
  bytes: number
}

/** The module of a frame's script url; `root` (the repository) is cut from file paths. */
export function moduleOfUrl(url: string, root: string): string {
  if (!url) return '(V8)'
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/')
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  return moduleOf(path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path)
}

/** Bytes per request: in total, and by module, largest first. */
export function allocationsByModule(
  head: HeapSampleNode,
  requests: number,
  root: string
): { total: number; modules: ModuleBytes[] } {
  const modules = new Map<string, number>()
  const walk = (node: HeapSampleNode): void => {
    const name = moduleOfUrl(node.callFrame.url, root)
    modules.set(name, (modules.get(name) ?? 0) + node.selfSize)
    node.children.forEach(walk)
  }
  walk(head)
  let total = 0
  for (const bytes of modules.values()) total += bytes
  return {
    total: total / requests,
    modules: [...modules]
      .map(([name, bytes]) => ({ name, bytes: bytes / requests }))
      .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)),
  }
}

/**
 * Bytes per request by function (name and file) within one module, largest first: frames of the
 * same function name in the same file are added up, anonymous ones per file.
 */
export function allocationsByFunction(
  head: HeapSampleNode,
  requests: number,
  root: string,
  module: string
): ModuleBytes[] {
  const functions = new Map<string, number>()
  const walk = (node: HeapSampleNode): void => {
    const { url, functionName } = node.callFrame
    if (moduleOfUrl(url, root) === module) {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url
      const file = path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path
      const name = `${functionName || '(anonymous)'} ${file}`
      functions.set(name, (functions.get(name) ?? 0) + node.selfSize)
    }
    node.children.forEach(walk)
  }
  walk(head)
  return [...functions]
    .map(([name, bytes]) => ({ name, bytes: bytes / requests }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
}

/** `of` minus `base`, module by module (bytes per request), largest first. */
export function excessBytes(
  of: readonly ModuleBytes[],
  base: readonly ModuleBytes[]
): ModuleBytes[] {
  const bytes = new Map(of.map((m) => [m.name, m.bytes]))
  for (const m of base) bytes.set(m.name, (bytes.get(m.name) ?? 0) - m.bytes)
  return [...bytes]
    .map(([name, b]) => ({ name, bytes: b }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
}
