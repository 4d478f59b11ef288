/**
 * A small HTTP server on 127.0.0.1 (ephemeral port) for the emulator's tests: each request is
 * recorded, then answered by the test's handler.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  /** Remote port of the connection: a new one per request means a fresh connection. */
  remotePort: number
}

export interface Reply {
  status?: number
  body?: string
  headers?: Record<string, string>
  /** Never answer (to provoke a client timeout). */
  hang?: boolean
  /** Answer after this many real milliseconds. */
  delayMs?: number
  /** Send the status line and headers, then stall the body forever. */
  stallBody?: boolean
}

export interface TestServer {
  url: string
  host: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** JSON reply helper. */
export function json(body: unknown, status = 200): Reply {
  return { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
}

export async function startTestServer(
  handler: (request: RecordedRequest, index: number) => Reply
): Promise<TestServer> {
  const requests: RecordedRequest[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort ?? 0,
      }
      requests.push(recorded)
      const reply = handler(recorded, requests.length - 1)
      if (reply.hang) return
      if (reply.stallBody) {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
        res.write('{"requests": ')
        return
      }
      const send = (): void => {
        res.writeHead(reply.status ?? 200, reply.headers ?? {})
        res.end(reply.body ?? '')
      }
      if (reply.delayMs === undefined) send()
      else {
        const timer = setTimeout(() => {
          timers.delete(timer)
          send()
        }, reply.delayMs)
        timers.add(timer)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
