/**
 * One HTTP GET over a fresh TCP connection (no agent, no keep-alive), the way a cold-start probe
 * must ask: a pooled socket could not exist before the server listened.
 */
import { request } from 'node:http'

export interface ProbeResponse {
  status: number
  body: string
}

/**
 * GETs `http://127.0.0.1:<port><path>` on a new connection. Rejects on a connection error (e.g.
 * ECONNREFUSED before the server listens) or when no complete response arrives within `timeoutMs`.
 */
export function getFresh(port: number, path: string, timeoutMs: number): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        agent: false,
        headers: { connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          clearTimeout(timer)
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', (err) => {
          clearTimeout(timer)
          reject(err)
        })
      }
    )
    const timer = setTimeout(() => {
      req.destroy(new Error(`no response within ${timeoutMs} ms`))
    }, timeoutMs)
    req.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    req.end()
  })
}

/**
 * True for a metric answer that carries a measured figure: HTTP 200 with a JSON body whose
 * `requests` is a number above 0. A 200 without traffic is not a first metric answer.
 */
export function isMetricAnswer(response: ProbeResponse): boolean {
  if (response.status !== 200) return false
  try {
    const parsed: unknown = JSON.parse(response.body)
    if (typeof parsed !== 'object' || parsed === null) return false
    const requests = (parsed as Record<string, unknown>).requests
    return typeof requests === 'number' && requests > 0
  } catch {
    return false
  }
}

/** True for any HTTP 200 (the floor fixtures answer plain 200s). */
export function isOk(response: ProbeResponse): boolean {
  return response.status === 200
}
