/**
 * A throwaway self-signed certificate for TLS tests (the cloud mode's transport), made with the
 * openssl CLI because Node cannot issue X.509 certificates itself. Valid for 127.0.0.1 and
 * localhost, for one day.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertificate {
  /** PEM private key. */
  key: string
  /** PEM certificate; also the CA to trust (it signs itself). */
  cert: string
}

/** Returns a fresh key and certificate, or undefined when no openssl CLI is available. */
export function selfSignedCertificate(): TestCertificate | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'vizier-double-tls-'))
  try {
    const keyPath = join(dir, 'key.pem')
    const certPath = join(dir, 'cert.pem')
    // argv form: no shell, nothing interpolated into a command line.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore', timeout: 20_000 }
    )
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') }
  } catch {
    return undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
