/**
 * A tiny plain-HTTP control endpoint for a running simulator (npm start, manual demos): switch
 * faults and the traffic multiplier with curl instead of restarting. Tests use the programmatic
 * API instead. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseFaults } from './faults'
import type { Simulator } from './server'

export interface AdminServer {
  port: number
  close(): Promise<void>
}

const MAX_BODY_BYTES = 16 * 1024

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${text}\n`)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0
  const parts: Buffer[] = []
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length
    if (size > MAX_BODY_BYTES) throw new Error('body too large')
    parts.push(part)
  }
  const text = Buffer.concat(parts).toString('utf8').trim()
  if (text === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new Error('body is not valid JSON')
  }
}

/**
 * Routes:
 * - GET /faults, PUT /faults (replace), POST /faults (merge), DELETE /faults (clear);
 *   body e.g. {"error":"unavailable"} or {"latencyMs":3000,"times":2}
 * - GET /multiplier, PUT /multiplier {"multiplier":10}
 * - GET /stats: call counts and the last 20 recorded requests
 */
export async function startAdminServer(
  sim: Simulator,
  port: number,
  host = '127.0.0.1'
): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const route = `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`
      try {
        switch (route) {
          case 'GET /faults':
            return send(res, 200, sim.faults())
          case 'PUT /faults':
            sim.clearFaults()
            sim.setFault(parseFaults(await readJson(req)))
            return send(res, 200, sim.faults())
          case 'POST /faults':
            sim.setFault(parseFaults(await readJson(req)))
            return send(res, 200, sim.faults())
          case 'DELETE /faults':
            sim.clearFaults()
            return send(res, 200, sim.faults())
          case 'GET /multiplier':
            return send(res, 200, { multiplier: sim.store.multiplier })
          case 'PUT /multiplier':
          case 'POST /multiplier': {
            const body = (await readJson(req)) as { multiplier?: unknown }
            if (typeof body.multiplier !== 'number' || !(body.multiplier > 0)) {
              return send(res, 400, { error: 'multiplier must be a positive number' })
            }
            sim.setMultiplier(body.multiplier)
            return send(res, 200, { multiplier: sim.store.multiplier })
          }
          case 'GET /stats':
            return send(res, 200, { stats: sim.stats, requests: sim.requests.slice(-20) })
          default:
            return send(res, 404, { error: `no route ${route}` })
        }
      } catch (err) {
        send(res, 400, { error: (err as Error).message })
      }
    })()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
