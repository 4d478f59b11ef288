// The HTTP server around the app, through a spawned bundle over real sockets: what Node's parser
// refuses still gets the JSON error shape (with `Connection: close`), CONNECT is answered, slow
// and idle connections are closed by the headers timeout while a request in flight is answered,
// a parameter without a name is refused, a stream Vizier refused unprocessed is retried, a repeated SIGTERM during the drain is ignored, and the
// function listens on 127.0.0.1 unless HOST says otherwise (the image sets 0.0.0.0).
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_STATUS } from '../../shared/errors'
import { getJson } from '../helpers/bundle-fixtures'
import { ROOT, startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { refuseAfterGoaway, startVizierDouble } from '../vizier-double'
import type { VizierDouble } from '../vizier-double'
import { getInFlight, holdStats, rawGet, respondWithStats, waitUntil } from './helpers'

const QUERY = '/?namespace=default&replicaset=canary-demo-7d9f8c6b5'
const HEADERS_TIMEOUT_MS = 300

interface Exchange {
  status: number
  headers: Record<string, string>
  body: Record<string, any> | undefined
  raw: string
}

/** Writes raw bytes on a fresh connection and reads until the server closes it (bounded). */
function exchange(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(
      () => socket.destroy(new Error(`connection not closed in ${timeoutMs} ms`)),
      timeoutMs
    )
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      const raw = Buffer.concat(chunks).toString('latin1')
      const [head = '', text = ''] = raw.split('\r\n\r\n', 2)
      const [statusLine = '', ...lines] = head.split('\r\n')
      const headers = Object.fromEntries(
        lines.map((l) => [
          l.slice(0, l.indexOf(':')).toLowerCase(),
          l.slice(l.indexOf(':') + 1).trim(),
        ])
      )
      let body: Record<string, any> | undefined
      try {
        body = JSON.parse(text) as Record<string, any>
      } catch {
        body = undefined
      }
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body,
        raw,
      })
    })
    if (bytes.length > 0) socket.write(bytes)
  })
}

describe('the HTTP server of a spawned bundle', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    double = await startVizierDouble(respondWithStats({ requests: 40, errors: 4 }))
    fn = await startBundle('error-rate', {
      PX_DIRECT_ADDR: double.address,
      PX_CANARY_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it('should answer what the HTTP parser refuses with a JSON error, a stable code and Connection: close', async () => {
    const cases: [string, string | Buffer, number, string][] = [
      ['a bad method', 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
      ['a space in the Host header', 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', 400, 'bad_request'],
      [
        'raw UTF-8 in the target',
        Buffer.concat([
          Buffer.from('GET /?namespace='),
          Buffer.from([0xc3, 0xa9]),
          Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
        ]),
        400,
        'bad_request',
      ],
      ['no Host header', 'GET /health/liveness HTTP/1.1\r\n\r\n', 400, 'bad_request'],
      [
        'a 20 KB query string',
        `GET /?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        414,
        'uri_too_long',
      ],
      [
        'a 20 KB header',
        `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        'headers_too_large',
      ],
      [
        'CONNECT',
        'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
        405,
        'method_not_allowed',
      ],
    ]
    for (const [what, bytes, status, code] of cases) {
      const res = await exchange(fn.port, bytes)
      expect(res.status, `${what}: ${res.raw.slice(0, 200)}`).toBe(status)
      expect(res.body?.error?.code, what).toBe(code)
      expect(res.body?.error?.message, what).toEqual(expect.any(String))
      expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], what).toBe(status)
      expect(res.headers['content-type'], what).toMatch(/^application\/json/)
      expect(res.headers.connection, what).toBe('close')
    }
    // The function is still serving.
    expect((await getJson(`${fn.url}/health/liveness`)).status).toBe(200)
  })

  it('should answer 200 when Vizier refused the first stream after a GOAWAY (retried once)', async () => {
    double.setBehaviour(refuseAfterGoaway(respondWithStats({ requests: 40, errors: 4 })))
    const calls = double.requests.length
    const { status, body } = await getJson(`${fn.url}${QUERY}&window=5m`)
    expect(status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ error_rate: 0.1, requests: 40 })
    expect(double.requests.length - calls).toBe(2)
    double.setBehaviour(respondWithStats({ requests: 40, errors: 4 }))
  })

  it('should refuse a parameter without a name as unknown_parameter', async () => {
    const res = await rawGet(fn.url, `${QUERY}&=1`)
    expect(res.status).toBe(400)
    expect(res.json?.error.code).toBe('unknown_parameter')
  })

  it('should close slow and idle connections with 408 while a request in flight is answered', async () => {
    const release = holdStats(double, { requests: 40, errors: 4 })
    const { inFlight } = await getInFlight(double, `${fn.url}${QUERY}&window=3m`)
    // A client that never finishes its headers, and one that sends nothing at all.
    const [slow, idle] = await Promise.all([
      exchange(fn.port, 'GET / HTTP/1.1\r\nHost: x\r\n'),
      exchange(fn.port, ''),
    ])
    for (const res of [slow, idle]) {
      expect(res.status, res.raw).toBe(408)
      expect(res.body?.error.code).toBe('request_timeout')
      expect(res.headers.connection).toBe('close')
    }
    // The request in flight outlived the timeout and still gets its answer.
    expect(release.opened).toBe(false)
    release.open()
    const { status, body } = await inFlight
    expect(status).toBe(200)
    expect(body).toMatchObject({ error_rate: 0.1, requests: 40 })
    double.setBehaviour(respondWithStats({ requests: 40, errors: 4 }))
  })

  it('should listen on 127.0.0.1 by default, while the image listens on every interface', () => {
    expect(fn.lines().find((l) => l.msg === 'listening')).toMatchObject({ address: '127.0.0.1' })
    const dockerfile = readFileSync(join(ROOT, 'knative', 'Dockerfile'), 'utf8')
    expect(dockerfile).toMatch(/^\s+HOST=0\.0\.0\.0 \\$/m)
  })
})

describe('a repeated SIGTERM during the drain', () => {
  let double: VizierDouble

  beforeAll(async () => {
    double = await startVizierDouble(respondWithStats({ requests: 40, errors: 4 }))
  })

  afterAll(async () => {
    await double?.close()
  })

  it('should be ignored: the request in flight gets its 200 and the process exits 0', async () => {
    const fn = await startBundle('error-rate', { PX_DIRECT_ADDR: double.address })
    try {
      const release = holdStats(double, { requests: 40, errors: 4 })
      const { inFlight } = await getInFlight(double, `${fn.url}${QUERY}`)
      process.kill(fn.pid, 'SIGTERM')
      await waitUntil(() => fn.lines().some((l) => l.msg === 'stopping'), 10_000, "'stopping'")
      process.kill(fn.pid, 'SIGTERM')
      await waitUntil(
        () =>
          fn.exit !== undefined ||
          fn.lines().some((l) => String(l.msg).startsWith('signal ignored')),
        10_000,
        'the second SIGTERM'
      )
      expect(fn.exit).toBeUndefined()
      release.open()
      expect((await inFlight).status).toBe(200)
      expect(await fn.exited).toEqual({ code: 0, signal: null })
    } finally {
      await fn.stop('SIGKILL')
    }
  })

  it('should not stop a SIGKILL from ending the drain', async () => {
    double.setBehaviour(async function* () {
      await new Promise(() => {})
    })
    const fn = await startBundle('latency', { PX_DIRECT_ADDR: double.address })
    const calls = double.requests.length
    const inFlight = getJson(`${fn.url}${QUERY}`, { timeoutMs: 20_000 }).catch((err: Error) => err)
    await waitUntil(() => double.requests.length > calls, 10_000, 'the in-flight Pixie call')
    process.kill(fn.pid, 'SIGTERM')
    await waitUntil(() => fn.lines().some((l) => l.msg === 'stopping'), 10_000, "'stopping'")
    expect(await fn.stop('SIGKILL', 5000)).toEqual({ code: null, signal: 'SIGKILL' })
    expect(await inFlight).toBeInstanceOf(Error)
  })
})
