/**
 * A throwaway CA and query-broker server certificate shaped like the ones Pixie provisions into
 * Secret `service-tls-certs` (pixie-io/pixie src/utils/shared/certs/certs.go): a private CA, and
 * a leaf for client and server auth whose names are getVizierDNSNamesForNamespace's (wildcards
 * under `<ns>.svc`, `pl-nats`, `pl-etcd`, `localhost`, and no IP address). Made with the openssl
 * CLI because Node cannot issue X.509 certificates; EC P-256 instead of Pixie's RSA-4096 so tests
 * stay fast, and valid for one day.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface VizierCertificates {
  /** PEM CA certificate (`ca.crt` in the Secret): what a client trusts. */
  caCert: string
  /** PEM server certificate (`server.crt`). */
  serverCert: string
  /** PEM server private key (`server.key`). */
  serverKey: string
}

/** The DNS names Pixie puts on Vizier's service certificate for a namespace. */
export function vizierDnsNames(namespace: string): string[] {
  return [
    `*.${namespace}.svc`,
    `*.${namespace}.svc.cluster.local`,
    `*.${namespace}.pod.cluster.local`,
    `*.pl-etcd.${namespace}.svc`,
    `*.pl-etcd.${namespace}.svc.cluster.local`,
    'pl-nats',
    'pl-etcd',
    'localhost',
  ]
}

/** Returns a fresh CA and server pair for `namespace` (default `pl`), or undefined without openssl. */
export function generateVizierCertificates(namespace = 'pl'): VizierCertificates | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sim-vizier-tls-'))
  const file = (name: string) => join(dir, name)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  // argv form: no shell, nothing interpolated into a command line.
  const run = (args: string[]) =>
    execFileSync('openssl', args, { stdio: 'ignore', timeout: 20_000 })
  try {
    run([
      'req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1',
      '-subj', '/O=Pixie Labs Inc./CN=simulator test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]) // prettier-ignore
    run([
      'req', '-new', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'),
      '-subj', '/O=Pixie Labs Inc./CN=vizier-query-broker',
    ]) // prettier-ignore
    writeFileSync(
      file('ext.cnf'),
      `subjectAltName=${vizierDnsNames(namespace)
        .map((n) => `DNS:${n}`)
        .join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`
    )
    run([
      'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'),
      '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('ext.cnf'),
    ]) // prettier-ignore
    return {
      caCert: readFileSync(file('ca.crt'), 'utf8'),
      serverCert: readFileSync(file('server.crt'), 'utf8'),
      serverKey: readFileSync(file('server.key'), 'utf8'),
    }
  } catch {
    return undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
