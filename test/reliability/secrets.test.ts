// Secrets never leave the process: with PX_API_KEY and the caller token set, neither appears in
// anything a function writes (stdout, stderr) or answers (bodies, headers), across successes,
// every error kind (including an upstream that echoes the key in its message), a bad
// configuration and shutdown. Through spawned bundles in cloud mode (TLS double, E2E encryption
// on) and at app level with a captured logger.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PxCanaryError } from '../../shared/errors'
import type { ErrorCode } from '../../shared/errors'
import { createLogger } from '../../shared/logger'
import { createFakeVizierClient } from '../helpers/fake-vizier'
import {
  Code,
  compileErrorMessage,
  failWith,
  neverAnswer,
  respondWith,
  selfSignedCertificate,
  startVizierDouble,
  statusMessage,
} from '../vizier-double'
import type { VizierBehaviour, VizierDouble } from '../vizier-double'
import { echoedResult, metricApp, rawGet, respondWithStats } from './helpers'
import type { RawResponse } from './helpers'
import { runBundleToExit, startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'

const API_KEY = 'px-api-5ecr3t-0f-the-pixie-cloud-0123456789'
const TOKEN = 'caller-t0ken-n0body-else-kn0ws-abcdef'
const CLUSTER_ID = '4f1a6a5e-8a4c-4b1e-9d3c-2f0e6b7a9c11'

function expectNoSecret(text: string, where: string): void {
  expect(text, where).not.toContain(API_KEY)
  expect(text, where).not.toContain(TOKEN)
  // Not even a recognisable part of either.
  expect(text, where).not.toContain(API_KEY.slice(7, 27))
  expect(text, where).not.toContain(TOKEN.slice(7, 27))
}

function everything(res: RawResponse): string {
  return `${JSON.stringify(res.headers)}\n${res.text}`
}

const certificate = selfSignedCertificate()

describe.skipIf(certificate === undefined)('secrets through spawned bundles (cloud mode)', () => {
  let double: VizierDouble
  let dir: string
  let env: Record<string, string>
  const functions: RunningBundle[] = []
  const answers: RawResponse[] = []

  beforeAll(async () => {
    double = await startVizierDouble(respondWithStats({ requests: 100, errors: 2 }), {
      tls: certificate!,
    })
    dir = mkdtempSync(join(tmpdir(), 'px-canary-secrets-'))
    const caPath = join(dir, 'ca.pem')
    writeFileSync(caPath, certificate!.cert)
    env = {
      PX_API_KEY: API_KEY,
      PX_CLUSTER_ID: CLUSTER_ID,
      PX_CLOUD_ADDR: double.address,
      PX_CANARY_AUTH_TOKEN: TOKEN,
      // The cloud mode's TLS trusts the system roots plus this (the double's self-signed cert).
      NODE_EXTRA_CA_CERTS: caPath,
    }
  })

  afterAll(async () => {
    for (const fn of functions) await fn.stop('SIGKILL')
    await double?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const auth = { authorization: `Bearer ${TOKEN}` }

  it('should use both secrets (the key reaches Pixie, the token admits the caller)', async () => {
    const fn = await startBundle('error-rate', env)
    functions.push(fn)
    const ok = await rawGet(fn.url, '/?namespace=default&replicaset=web-6d8f9', auth, 25_000)
    answers.push(ok)
    expect(ok.status, ok.text).toBe(200)
    expect(ok.json?.error_rate).toBe(0.02)
    const call = double.requests.at(-1)!
    expect(call.headers['pixie-api-key']).toBe(API_KEY)
    expect(call.request.clusterId).toBe(CLUSTER_ID)
    expect(call.request.encryptionOptions?.jwkKey).toContain('RSA')
  })

  it('should answer every kind of error without either secret', async () => {
    const fn = functions[0]!
    const behaviours: [string, VizierBehaviour][] = [
      // An upstream echoing the key: the message reaches the body only redacted.
      ['unauthenticated', failWith(Code.Unauthenticated, `invalid API key ${API_KEY}`)],
      ['auth middleware', failWith(Code.Internal, `Auth middleware failed: key ${API_KEY}`)],
      ['unavailable', failWith(Code.Unavailable, 'cluster is not in a healthy state')],
      [
        'permission',
        failWith(Code.PermissionDenied, `key ${API_KEY} has no access to ${CLUSTER_ID}`),
      ],
      [
        'compile error',
        respondWith(compileErrorMessage([{ line: 1, column: 1, message: `bad ${API_KEY}` }])),
      ],
      ['in-band status', respondWith(statusMessage(13, `internal: ${TOKEN}`))],
      ['bad result', respondWithStats({ requests: 1, errors: 2 })],
    ]
    for (const [what, behaviour] of behaviours) {
      double.setBehaviour(behaviour)
      const res = await rawGet(fn.url, '/error-rate/default/web', auth, 25_000)
      answers.push(res)
      expect(res.status, `${what}: ${res.text}`).toBeGreaterThanOrEqual(500)
      expect(res.json?.error.code, what).toMatch(/^(pixie|result)_/)
      expectNoSecret(everything(res), what)
    }
    double.setBehaviour(respondWithStats({ requests: 100, errors: 2 }))
    // Caller mistakes, some carrying a secret.
    for (const [path, headers] of [
      ['/?namespace=default&replicaset=web', {}],
      ['/?namespace=default&replicaset=web', { authorization: `Bearer ${TOKEN}x` }],
      ['/?namespace=default&replicaset=web', { authorization: `Basic ${TOKEN}` }],
      ['/?namespace=default&replicaset=web', { authorization: `Bearer ${API_KEY}` }],
      [`/?namespace=default&pod=${API_KEY}_`, auth],
      [`/?namespace=default&replicaset=web&api_key=${API_KEY}`, auth],
      ['/nowhere', auth],
    ] as [string, Record<string, string>][]) {
      const res = await rawGet(fn.url, path, headers)
      answers.push(res)
      expect(res.status, `${path} ${res.text}`).toBeGreaterThanOrEqual(400)
      expect(res.status, path).toBeLessThan(500)
      expectNoSecret(everything(res), path)
    }
  })

  it('should answer the deadline without either secret', async () => {
    double.setBehaviour(neverAnswer())
    const res = await rawGet(functions[0]!.url, '/error-rate/default/web', auth, 25_000)
    answers.push(res)
    expect(res.status).toBe(504)
    expectNoSecret(everything(res), 'deadline')
    double.setBehaviour(respondWithStats({ requests: 100, errors: 2 }))
  })

  it('should write neither secret to stdout or stderr, through shutdown', async () => {
    const fn = functions[0]!
    expect(await fn.stop('SIGTERM')).toEqual({ code: 0, signal: null })
    const output = `${fn.stdout()}\n${fn.stderr()}`
    // The log did record the errors above (so there was something to leak).
    expect(output).toMatch(/pixie_unauthenticated/)
    expect(output).toMatch(/\[redacted\]/)
    expect(output).toMatch(/"msg":"stopped"/)
    expectNoSecret(output, 'function output')
    for (const res of answers) expectNoSecret(everything(res), 'an answer')
  })

  it('should write neither secret when the configuration is bad', async () => {
    const configs: Record<string, string>[] = [
      // A key with a space and no cluster id.
      { PORT: '0', PX_API_KEY: `${API_KEY} x`, PX_CANARY_AUTH_TOKEN: TOKEN },
      // Both modes at once, a token that is not printable ASCII.
      {
        PORT: '0',
        PX_API_KEY: API_KEY,
        PX_CLUSTER_ID: CLUSTER_ID,
        PX_DIRECT_ADDR: '127.0.0.1:1',
        PX_CANARY_AUTH_TOKEN: `${TOKEN}\u00e9`,
      },
      // A cluster id that is not a UUID, encryption refused.
      { PORT: '0', PX_API_KEY: API_KEY, PX_CLUSTER_ID: 'nope', PX_E2E_ENCRYPTION: '0' },
    ]
    for (const config of configs) {
      const exit = await runBundleToExit('throughput', config)
      expect(exit.code).toBe(1)
      expect(exit.lines.some((l) => l.msg === 'invalid configuration')).toBe(true)
      expectNoSecret(JSON.stringify(exit.lines), JSON.stringify(Object.keys(config)))
    }
  })
})

describe('secrets at app level (captured logger)', () => {
  const ERRORS: [ErrorCode, string][] = [
    ['pixie_unauthenticated', `Pixie rejected the credentials: key ${API_KEY}`],
    ['pixie_permission_denied', `denied for ${API_KEY}`],
    ['pixie_unavailable', `unavailable (token ${TOKEN})`],
    ['pixie_script_error', `compile error near ${API_KEY}`],
    ['pixie_transport_error', `cannot talk to Pixie: ${API_KEY}`],
    ['pixie_protocol_error', `malformed ${TOKEN}`],
    ['pixie_decryption_failed', `cannot decrypt with ${API_KEY}`],
    ['pixie_result_too_large', `too large ${API_KEY}`],
    ['pixie_deadline_exceeded', `late ${API_KEY}`],
    ['result_invalid_value', `bad value ${TOKEN}`],
    ['overloaded', `busy ${API_KEY}`],
  ]

  it('should keep both secrets out of every body and log line, whatever the error', async () => {
    const lines: string[] = []
    const logger = createLogger({ write: (l) => lines.push(l), redact: [API_KEY, TOKEN] })
    let failure: unknown
    const client = createFakeVizierClient((options) => {
      if (failure !== undefined) throw failure
      return echoedResult(options, { requests: 3, errors: 1 })
    })
    const app = metricApp('error-rate', { client, logger, authToken: TOKEN, secrets: [API_KEY] })
    const headers = { authorization: `Bearer ${TOKEN}` }
    const bodies: string[] = []
    const call = async (path: string, h: Record<string, string> = headers) => {
      const res = await app.request(path, { headers: h })
      const text = await res.text()
      bodies.push(`${res.status} ${JSON.stringify([...res.headers])} ${text}`)
      return { status: res.status, text }
    }
    expect((await call('/?namespace=a&pod=b')).status).toBe(200)
    for (const [code, message] of ERRORS) {
      failure = new PxCanaryError(code, message, { details: { echoed: message } })
      const res = await call('/error-rate/a/b')
      expect(JSON.parse(res.text).error.code).toBe(code)
      // The message is kept, only the secret is cut out of it.
      expect(res.text).toContain('[redacted]')
    }
    failure = new Error(`a bug that printed ${API_KEY} and ${TOKEN}`)
    expect((await call('/?namespace=a&pod=b')).status).toBe(500)
    failure = undefined
    await call('/?namespace=a&pod=b', { authorization: `Bearer ${API_KEY}` })
    await call(`/?namespace=a&pod=${TOKEN}_`)
    await call(`/?namespace=a&pod=b&window=${API_KEY}`)
    expect(lines.length).toBeGreaterThan(ERRORS.length)
    for (const text of [...bodies, ...lines]) expectNoSecret(text, text.slice(0, 120))
  })

  it('should leave no head of a secret where an echoed value was cut, in bodies and logs', async () => {
    // An upstream row echoing the key in selector_value, past the 128 characters a result
    // message shows: the cut falls inside the key.
    const echoed = `${'x'.repeat(120)}${API_KEY}`
    const lines: string[] = []
    const logger = createLogger({ write: (l) => lines.push(l) })
    const client = createFakeVizierClient((options) => {
      const result = echoedResult(options, { requests: 3, errors: 1 })
      for (const table of result.tables.values()) table.rows[0]!.selector_value = echoed
      return result
    })
    // A caller token longer than the 64 characters a bad parameter value shows.
    const longToken = `${TOKEN}-${'t'.repeat(40)}`
    const app = metricApp('error-rate', {
      client,
      logger,
      authToken: longToken,
      secrets: [API_KEY],
    })
    const headers = { authorization: `Bearer ${longToken}` }
    const texts: string[] = []
    for (const path of [
      '/?namespace=a&pod=b',
      `/?namespace=a&pod=b&window=${longToken}`,
      `/?namespace=a&pod=b&${longToken}=1`,
    ]) {
      const res = await app.request(path, { headers })
      const text = await res.text()
      expect(res.status, text).toBeGreaterThanOrEqual(400)
      texts.push(text)
    }
    expect(texts[0]).toMatch(/result_selector_mismatch/)
    for (const text of [...texts, ...lines]) {
      expect(text).not.toContain(API_KEY.slice(0, 6))
      expect(text).not.toContain(longToken.slice(0, 6))
      expect(text).not.toContain(longToken.slice(-6))
    }
    expect(texts.join('\n')).toContain('[redacted]')
  })

  it('should never echo a secret in a 200 body: a secret sent as a selector value', async () => {
    const lines: string[] = []
    const logger = createLogger({ write: (l) => lines.push(l) })
    const client = createFakeVizierClient((options) => echoedResult(options, { requests: 3 }))
    const app = metricApp('throughput', { client, logger, secrets: [API_KEY] })
    const res = await app.request(`/throughput/default/${API_KEY}`)
    const text = await res.text()
    expect(res.status, text).toBe(200)
    expect(JSON.parse(text).selector.pod).toBe('[redacted]')
    for (const t of [text, ...lines]) expectNoSecret(t, t.slice(0, 120))
  })

  it('should scrub secrets from error bodies even when the logger does not redact', async () => {
    const lines: string[] = []
    const logger = createLogger({ write: (l) => lines.push(l) })
    const client = createFakeVizierClient(() => {
      throw new PxCanaryError('pixie_unauthenticated', `bad key ${API_KEY}`)
    })
    const app = metricApp('latency', { client, logger, secrets: [API_KEY] })
    const res = await app.request('/latency/a/b')
    const text = await res.text()
    expect(res.status).toBe(502)
    expect(JSON.parse(text)).toEqual({
      error: { code: 'pixie_unauthenticated', message: 'bad key [redacted]' },
    })
    expectNoSecret(lines.join('\n'), 'log')
  })
})
