/**
 * Medians of the phases of a request inside the serving process, from the marks that
 * bench/fixtures/request-phase-marks.mjs records (microseconds on the process's monotonic clock),
 * and the process's own time: arrival to answer written, less the query's time on the wire and in
 * Vizier (query sent to its 'end').
 */
import { median } from './stats'

export interface PhaseMarks {
  arrived: number
  querySent?: number
  queryHeaders?: number
  queryEnded?: number
  answered?: number
  written: number
}

/** Each phase: [from mark, to mark, label]. */
export const PHASES = [
  ['arrived', 'querySent', 'arrival to the query sent: routing, parameters, the call'],
  ['querySent', 'queryHeaders', "the query sent to Vizier's response headers"],
  ['queryHeaders', 'queryEnded', "response headers to the query's end: reading the result"],
  ['queryEnded', 'answered', "the query's end to the answer: decoding, figures, JSON"],
  ['answered', 'written', 'the answer handed to Node to written'],
] as const satisfies readonly (readonly [keyof PhaseMarks, keyof PhaseMarks, string])[]

export interface PhaseSummary {
  /** Requests with every mark. */
  requests: number
  /** Median of each phase, in PHASES order (us). */
  phasesUs: number[]
  /** Median of (written - arrived) - (queryEnded - querySent) (us). */
  ownUs: number
}

/** Requests missing a mark (a failed query, a health probe) are left out. */
export function summarizePhases(marks: readonly PhaseMarks[]): PhaseSummary | undefined {
  const complete = marks.filter((m) =>
    PHASES.every(([from, to]) => m[from] !== undefined && m[to] !== undefined)
  )
  if (complete.length === 0) return undefined
  const span = (m: PhaseMarks, from: keyof PhaseMarks, to: keyof PhaseMarks): number =>
    (m[to] as number) - (m[from] as number)
  return {
    requests: complete.length,
    phasesUs: PHASES.map(([from, to]) => median(complete.map((m) => span(m, from, to)))),
    ownUs: median(
      complete.map((m) => span(m, 'arrived', 'written') - span(m, 'querySent', 'queryEnded'))
    ),
  }
}
