/**
 * The bench's output model: every printed figure is a Figure (value, unit, sample count, method),
 * goal rows carry a GoalCheck (met / not met and the ratio to the goal's threshold). The same
 * figures render as the console table and serialize as bench/results/latest.json, so the JSON is
 * always the machine-readable copy of what was printed.
 */

export type GoalOp = '<=' | '=='

export interface GoalCheck {
  /** The goal as the README states it, e.g. '<= 1.5 x floor'. */
  text: string
  op: GoalOp
  threshold: number
  /** False whenever the value is missing: an unmeasured figure never meets its goal. */
  met: boolean
  /** value / threshold (null when the value is missing). Below or at 1 for '<=' goals that are met. */
  ratio: number | null
}

export interface Figure {
  /** Stable key for machines, e.g. 'cold_start.error-rate.x_floor'. */
  id: string
  /** Table section, e.g. 'cold start'. */
  section: string
  label: string
  /** null when the figure could not be measured (see `note`). */
  value: number | null
  unit: string
  /** How many samples the value is computed from. */
  samples: number
  /** Key into the run's methods (how this figure was measured). */
  method: string
  goal?: GoalCheck
  /** Why the value is missing, or a caveat a reader must see next to the number. */
  note?: string
}

/** Checks `value` against a goal. A missing or non-finite value is reported as not met. */
export function checkGoal(
  value: number | null,
  op: GoalOp,
  threshold: number,
  text: string
): GoalCheck {
  if (value === null || !Number.isFinite(value))
    return { text, op, threshold, met: false, ratio: null }
  const ratio = threshold === 0 ? (value === 0 ? 1 : Infinity) : value / threshold
  const met = op === '<=' ? value <= threshold : value === threshold
  return { text, op, threshold, met, ratio }
}

/** Renders a number for the table: integers plainly, otherwise 3 significant-ish decimals. */
export function formatValue(value: number | null): string {
  if (value === null) return 'n/a'
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (Number.isInteger(value) || abs >= 1000) return Math.round(value).toLocaleString('en-US')
  const digits = abs >= 100 ? 1 : abs >= 10 ? 2 : 3
  return value.toFixed(digits)
}

/** Word-wraps `text` to `width` columns; continuation lines get `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lead = /^\s*/.exec(text)?.[0] ?? ''
  const words = text.split(/\s+/).filter(Boolean)
  const lines: string[] = []
  let line = lead + (words.shift() ?? '')
  for (const word of words) {
    if (line.length + 1 + word.length > width) {
      lines.push(line)
      line = indent + word
    } else {
      line += ` ${word}`
    }
  }
  lines.push(line)
  return lines.join('\n')
}

function goalCell(goal: GoalCheck | undefined): string {
  if (!goal) return ''
  if (goal.ratio === null) return 'NOT MET (not measured)'
  return `${goal.met ? 'met' : 'NOT MET'} (${goal.ratio.toFixed(2)} of goal)`
}

/**
 * The console table: one row per figure, grouped by section, with the method keys explained below
 * the table.
 */
export function renderTable(
  figures: readonly Figure[],
  methods: Readonly<Record<string, string>>
): string {
  const header = ['figure', 'value', 'unit', 'n', 'how', 'goal', 'status']
  const rows: string[][] = []
  let section = ''
  const notes: string[] = []
  const noteIndex = new Map<string, number>()
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section
      rows.push([`[${section}]`, '', '', '', '', '', ''])
    }
    let label = `  ${f.label}`
    if (f.note) {
      let index = noteIndex.get(f.note)
      if (index === undefined) {
        notes.push(f.note)
        index = notes.length
        noteIndex.set(f.note, index)
      }
      label += ` (*${index})`
    }
    rows.push([
      label,
      formatValue(f.value),
      f.unit,
      String(f.samples),
      f.method,
      f.goal?.text ?? '',
      goalCell(f.goal),
    ])
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const numeric = new Set([1, 3])
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')]
  for (const r of rows) out.push(line(r))
  const used = [...new Set(figures.map((f) => f.method))]
  if (used.length > 0) {
    out.push('', 'how:')
    for (const key of used) {
      out.push(wrap(`  ${key}: ${methods[key] ?? '(no description)'}`, 110, '      '))
    }
  }
  if (notes.length > 0) {
    out.push('', 'notes:')
    notes.forEach((n, i) => out.push(wrap(`  (*${i + 1}) ${n}`, 110, '       ')))
  }
  const goals = figures.filter((f) => f.goal)
  const met = goals.filter((f) => f.goal?.met).length
  out.push('', `goals met: ${met} of ${goals.length}`)
  return out.join('\n')
}
