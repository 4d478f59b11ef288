/**
 * `node --import tsx simulator/front-door/generate-certs.ts DIR [NAMESPACE]`: writes a throwaway
 * CA (`ca.crt`) and query-broker pair (`server.crt`, `server.key`) into DIR, laid out like Secret
 * `service-tls-certs`, for `simulator/main.ts --tls-dir DIR`. Exits 1 without the openssl CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateVizierCertificates } from './certs'

const [dir, namespace = 'pl'] = process.argv.slice(2)
if (!dir) {
  process.stderr.write('usage: generate-certs.ts DIR [NAMESPACE]\n')
  process.exit(2)
}
const certs = generateVizierCertificates(namespace)
if (!certs) {
  process.stderr.write('generate-certs: the openssl CLI is needed and failed or is missing\n')
  process.exit(1)
}
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'ca.crt'), certs.caCert)
writeFileSync(join(dir, 'server.crt'), certs.serverCert)
writeFileSync(join(dir, 'server.key'), certs.serverKey, { mode: 0o600 })
process.stdout.write(`generate-certs: wrote ca.crt, server.crt, server.key to ${dir}\n`)
