/**
 * `npm run bench:steps`: what single start-up steps cost in a fresh process, so the start-up
 * figures in bench/README.md can be checked. Each step runs in its own new ES module process, as
 * the bundles run (on Node 24 the ES module loader has already loaded undici, under CommonJS it
 * has not), after what a function has loaded by then (`node:http` and `node:http2`), timed with
 * `process.hrtime.bigint()` around the step alone, STEPS_RUNS times (default 11); the median is
 * printed per step and per Node. Standard output is a pipe read by another process, as in a
 * container, or /dev/null. STEPS_NODE (or BENCH_IMAGE_NODE) adds a second Node binary, e.g. the
 * image's.
 */
import { spawnSync } from 'node:child_process'
import { median } from './stats'

export interface Step {
  name: string
  /** Runs before the clock starts. */
  setup: string
  /** The step being timed. */
  step: string
  /** Where the child's stdout goes: a pipe another process reads (as in a container) or /dev/null. */
  stdout: 'pipe' | 'null'
}

const LOADED = "import 'node:http'; import 'node:http2';"

export const STEPS: Step[] = [
  {
    name: 'first process.stdout (stdout a pipe)',
    setup: LOADED,
    step: 'process.stdout',
    stdout: 'pipe',
  },
  {
    name: 'first process.stdout (stdout /dev/null)',
    setup: LOADED,
    step: 'process.stdout',
    stdout: 'null',
  },
  { name: 'first performance.now()', setup: LOADED, step: 'performance.now()', stdout: 'pipe' },
  {
    name: "import('node:http'), nothing loaded before",
    setup: '',
    step: "await import('node:http')",
    stdout: 'pipe',
  },
  {
    name: "import('node:http2') after node:http",
    setup: "import 'node:http';",
    step: "await import('node:http2')",
    stdout: 'pipe',
  },
  {
    name: 'first globalThis.Request (undici)',
    setup: LOADED,
    step: 'globalThis.Request',
    stdout: 'pipe',
  },
]

/** Times one step once in a fresh process of `node`; milliseconds. */
export function timeStep(node: string, step: Step): number {
  const script = `${step.setup}
const t0 = process.hrtime.bigint(); ${step.step}; const t1 = process.hrtime.bigint();
process.stderr.write(String(Number(t1 - t0) / 1e6));`
  const out = step.stdout === 'pipe' ? '| cat > /dev/null' : '> /dev/null'
  const command = `set -o pipefail; "$0" --input-type=module -e "$1" ${out}`
  const child = spawnSync('bash', ['-c', command, node, script], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 30_000,
  })
  const ms = Number(child.stderr)
  if (child.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`${step.name} on ${node}: exit ${child.status}, ${child.stderr.slice(0, 200)}`)
  }
  return ms
}

function versionOf(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
}

async function main(): Promise<void> {
  const runs = Number(process.env.STEPS_RUNS ?? 11)
  const nodes = [process.execPath, process.env.STEPS_NODE ?? process.env.BENCH_IMAGE_NODE].filter(
    (n): n is string => n !== undefined && n !== ''
  )
  const versions = nodes.map(versionOf)
  console.log(`median of ${runs} fresh processes per step, ms (${versions.join(' / ')})`)
  for (const step of STEPS) {
    const cells = nodes.map((node) => {
      const times: number[] = []
      // Interleaved with nothing else: one process at a time, so steps never compete.
      for (let i = 0; i < runs; i++) times.push(timeStep(node, step))
      return median(times).toFixed(2).padStart(8)
    })
    console.log(`${step.name.padEnd(48)}${cells.join('')}`)
  }
}

if (process.argv[1]?.endsWith('startup-steps.ts')) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
