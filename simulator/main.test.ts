// The CLI as a process: argument errors and bad scenarios fail fast with a clear message; a good
// run prints its address and stops with exit code 0 on SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnTracked } from '../test/helpers/spawn'
import { generateVizierCertificates } from './front-door/certs'

const ROOT = join(import.meta.dirname, '..')

function run(
  args: string[],
  onStdout?: (text: string, kill: () => void) => void,
  env: NodeJS.ProcessEnv = {}
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawnTracked(
      process.execPath,
      ['--import', 'tsx', join('simulator', 'main.ts'), ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
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
    const r = await run(['--port', '0', '--latency-ms', '5', '--admin-port', '0'], (out, kill) => {
      if (out.includes('serving')) kill()
    })
    expect(r.stdout).toMatch(
      /scenario 'demo' \(7 pods, .*\) serving px\.api\.vizierpb\.VizierService on 127\.0\.0\.1:\d+, control on http:\/\/127\.0\.0\.1:\d+ \(development mode: plaintext, no credentials\)/
    )
    expect(r.code).toBe(0)
  })

  it('should refuse an incomplete Vizier front door in one line and exit 2', async () => {
    const r = await run(['--port', '0', '--tls-dir', 'nowhere'], undefined, {
      PL_JWT_SIGNING_KEY: '',
      PX_SIM_JWT_SIGNING_KEY_FILE: '',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'simulator: the Vizier front door needs --jwt-signing-key-file or PL_JWT_SIGNING_KEY'
    )
  })

  const certs = generateVizierCertificates()
  it.skipIf(certs === undefined)(
    'should serve the Vizier front door from a certificate directory and a key file',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sim-main-test-'))
      try {
        writeFileSync(join(dir, 'server.crt'), certs?.serverCert ?? '')
        writeFileSync(join(dir, 'server.key'), certs?.serverKey ?? '')
        writeFileSync(join(dir, 'jwt-signing-key'), 'a'.repeat(128))
        const args = ['--port', '0', '--tls-dir', dir]
        const r = await run(
          [...args, '--jwt-signing-key-file', join(dir, 'jwt-signing-key')],
          (out, kill) => {
            if (out.includes('serving')) kill()
          }
        )
        expect(r.stdout).toMatch(
          /on 127\.0\.0\.1:\d+ \(Vizier front door: TLS, service JWT required\)/
        )
        expect(r.code).toBe(0)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )
})
