// The CLI as a process: argument errors and bad scenarios fail fast with a clear message; a good
// run prints its address and stops with exit code 0 on SIGTERM.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnTracked } from '../test/helpers/spawn'

const ROOT = join(import.meta.dirname, '..')

function run(args: string[], onStdout?: (text: string, kill: () => void) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawnTracked(
      process.execPath,
      ['--import', 'tsx', join('simulator', 'main.ts'), ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    )
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
    child.stdout!.setEncoding('utf8').on('data', (t: string) => {
      stdout += t
      onStdout?.(stdout, () => child.kill('SIGTERM'))
    })
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t))
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('simulator CLI', () => {
  it('should reject a bad port with usage and exit code 2', async () => {
    const r = await run(['--port', 'abc'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--port must be an integer')
    expect(r.stderr).toContain('usage:')
  })

  it('should name the problem in an invalid scenario and exit 1', async () => {
    const r = await run(['--scenario', join('simulator', 'README.md'), '--port', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/cannot read scenario simulator\/README.md/)
  })

  it('should serve on the requested port and exit 0 on SIGTERM', async () => {
    const r = await run(['--port', '0', '--latency-ms', '5'], (out, kill) => {
      if (out.includes('serving')) kill()
    })
    expect(r.stdout).toMatch(
      /scenario 'demo' \(7 pods, .*\) serving px\.api\.vizierpb\.VizierService on 127\.0\.0\.1:\d+/
    )
    expect(r.code).toBe(0)
  })
})
