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

/** A frame's script as a path from the repository (`root`) when it is in it; '' for none. */
function pathOfUrl(url: string, root: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path
}

/** The module of a frame's script url; `root` (the repository) is cut from file paths. */
export function moduleOfUrl(url: string, root: string): string {
  if (!url) return '(V8)'
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/')
  return moduleOf(pathOfUrl(url, root))
}

/** Bytes per request under each key, largest first; frames whose key is undefined are left out. */
function bytesBy(
  head: HeapSampleNode,
  requests: number,
  keyOf: (frame: HeapSampleNode['callFrame']) => string | undefined
): ModuleBytes[] {
  const bytes = new Map<string, number>()
  const walk = (node: HeapSampleNode): void => {
    const key = keyOf(node.callFrame)
    if (key !== undefined) bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize)
    node.children.forEach(walk)
  }
  walk(head)
  return [...bytes]
    .map(([name, b]) => ({ name, bytes: b / requests }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
}

/** Bytes per request: in total, and by module, largest first. */
export function allocationsByModule(
  head: HeapSampleNode,
  requests: number,
  root: string
): { total: number; modules: ModuleBytes[] } {
  const modules = bytesBy(head, requests, (frame) => moduleOfUrl(frame.url, root))
  return { total: modules.reduce((sum, m) => sum + m.bytes, 0), modules }
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
  return bytesBy(head, requests, ({ url, functionName }) =>
    moduleOfUrl(url, root) === module
      ? `${functionName || '(anonymous)'} ${pathOfUrl(url, root)}`
      : undefined
  )
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
