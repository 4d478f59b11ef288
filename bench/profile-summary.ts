/**
 * Summarises a V8 CPU profile (the .cpuprofile that `node --cpu-prof` writes) by self time: per
 * module (an npm package, a source folder of this repository, a Node internal module, or one of
 * V8's pseudo-frames such as "(garbage collector)") and per function. Frames in a bundle are
 * mapped back to their sources through the bundle's source map, with Node's own SourceMap class
 * (node:module), so a minified function reads as `shared/pixie/vizierapi.ts:212 readMessage`.
 */
import { SourceMap } from 'node:module'
import type { SourceMapPayload } from 'node:module'

/** The parts of a .cpuprofile the summary reads (Chrome DevTools protocol, Profiler.Profile). */
export interface CpuProfile {
  nodes: Array<{
    id: number
    callFrame: {
      functionName: string
      url: string
      /** 0-based. */
      lineNumber: number
      /** 0-based. */
      columnNumber: number
    }
  }>
  startTime: number
  endTime: number
  samples: number[]
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[]
}

export interface SelfTime {
  name: string
  ms: number
}

export interface ProfileSummary {
  /** Wall time the profile covers. */
  totalMs: number
  /** Self time per module, largest first. */
  modules: SelfTime[]
  /** Self time per function (module, source line, name), largest first. */
  functions: SelfTime[]
}

/** The module a source path belongs to: an npm package, or a repository folder (two levels). */
export function moduleOf(source: string): string {
  const nm = source.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/')
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? source)
  }
  const parts = source.replace(/^(\.\.\/)+/, '').split('/')
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts.join('/')
}

/** Source paths in esbuild's maps are relative to the bundle; keep them from the repository on. */
function repoPath(source: string, repoRoot: string | undefined): string {
  const nm = source.lastIndexOf('node_modules/')
  if (nm >= 0) return source.slice(nm)
  if (repoRoot) {
    const at = source.indexOf(repoRoot.replace(/^\//, ''))
    if (at >= 0) return source.slice(at + repoRoot.replace(/^\//, '').length).replace(/^\//, '')
  }
  return source.replace(/^(\.\.\/)+/, '')
}

export interface SummaryOptions {
  /** Source maps of bundles, by the url the profile names them with (file:///...). */
  sourceMaps?: ReadonlyMap<string, SourceMapPayload>
  /** Absolute path of the repository, stripped from mapped source paths. */
  repoRoot?: string
  /**
   * Only samples taken within [fromUs, toUs] of V8's clock (the profile's own startTime is on it;
   * on Linux it is CLOCK_MONOTONIC, the clock of process.hrtime in any process): e.g. a load phase.
   */
  window?: { fromUs: number; toUs: number }
}

/**
 * Self time per module and per function. A sample's self time is the time until the next sample,
 * as Chrome DevTools counts it.
 */
export function summarizeProfile(
  profile: CpuProfile,
  options: SummaryOptions = {}
): ProfileSummary {
  const maps = new Map<string, SourceMap>()
  for (const [url, payload] of options.sourceMaps ?? []) maps.set(url, new SourceMap(payload))
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  const from = options.window?.fromUs ?? -Infinity
  const to = options.window?.toUs ?? Infinity
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0
    if (at < from || at > to) continue
    const next = profile.timeDeltas[i + 1] ?? 0
    const id = profile.samples[i] as number
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, next))
  }
  const modules = new Map<string, number>()
  const functions = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const frame = byNode.get(id)?.callFrame
    if (!frame) continue
    let module: string
    let fn: string
    const map = maps.get(frame.url)
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
      { originalSource?: string; originalLine?: number; name?: string } | undefined
    if (entry?.originalSource) {
      const source = repoPath(entry.originalSource, options.repoRoot)
      module = moduleOf(source)
      const name = entry.name || frame.functionName || '(anonymous)'
      fn = `${source}:${(entry.originalLine ?? 0) + 1} ${name}`
    } else if (frame.url.startsWith('node:')) {
      module = frame.url.split('/').slice(0, 2).join('/')
      fn = `${frame.url}:${frame.lineNumber + 1} ${frame.functionName || '(anonymous)'}`
    } else if (!frame.url) {
      module = frame.functionName.startsWith('(') ? frame.functionName : '(native)'
      fn = frame.functionName || '(anonymous native)'
    } else {
      module = frame.url
      fn = `${frame.url}:${frame.lineNumber + 1} ${frame.functionName || '(anonymous)'}`
    }
    modules.set(module, (modules.get(module) ?? 0) + us)
    functions.set(fn, (functions.get(fn) ?? 0) + us)
  }
  const sorted = (m: Map<string, number>): SelfTime[] =>
    [...m]
      .map(([name, us]) => ({ name, ms: us / 1000 }))
      .sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name))
  return {
    totalMs: (Math.min(to, profile.endTime) - Math.max(from, profile.startTime)) / 1000,
    modules: sorted(modules),
    functions: sorted(functions),
  }
}

/** The summary as text: the `top` largest modules and functions, with their share of the total. */
export function renderSummary(title: string, s: ProfileSummary, top = 15): string {
  const pct = (ms: number): string => `${((100 * ms) / (s.totalMs || 1)).toFixed(1).padStart(5)}%`
  const rows = (items: SelfTime[]): string[] =>
    items.slice(0, top).map((x) => `  ${x.ms.toFixed(1).padStart(8)} ms ${pct(x.ms)}  ${x.name}`)
  return [
    `${title}: ${s.totalMs.toFixed(1)} ms profiled`,
    ' self time by module:',
    ...rows(s.modules),
    ' self time by function:',
    ...rows(s.functions),
  ].join('\n')
}

/** Per request, the self time of each module in `s` minus that in `floor` (ms), largest first. */
export function moduleExcess(
  s: ProfileSummary,
  sRequests: number,
  floor: ProfileSummary,
  floorRequests: number
): SelfTime[] {
  const per = new Map<string, number>()
  for (const m of s.modules) per.set(m.name, m.ms / sRequests)
  for (const m of floor.modules) per.set(m.name, (per.get(m.name) ?? 0) - m.ms / floorRequests)
  return [...per]
    .filter(([name]) => name !== '(idle)')
    .map(([name, ms]) => ({ name, ms }))
    .sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name))
}
