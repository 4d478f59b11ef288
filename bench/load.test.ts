import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanupLoadWorker, runLoad, throughputPerSecond } from './load'

let server: Server
let port = 0
const seen = new Map<string, number>()

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.set(req.url ?? '', (seen.get(req.url ?? '') ?? 0) + 1)
    const answer = (): void => {
      res.writeHead(req.url === '/fail' ? 502 : 200, { 'content-type': 'application/json' })
      res.end('{}')
    }
    if (req.url === '/slow') setTimeout(answer, 100)
    else answer()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  cleanupLoadWorker()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('runLoad', () => {
  it('should rotate the given paths and count answers by status', async () => {
    seen.clear()
    const result = await runLoad({
      target: { kind: 'http', port, paths: ['/a', '/b', '/fail'] },
      concurrency: 3,
      warmupMs: 100,
      durationMs: 500,
    })
    expect(result.completed).toBeGreaterThan(0)
    expect(result.latenciesMs).toHaveLength(result.completed)
    expect((result.statuses['200'] ?? 0) + (result.statuses['502'] ?? 0)).toBe(result.completed)
    expect(result.statuses['502']).toBeGreaterThan(0)
    expect(seen.get('/a')).toBeGreaterThan(0)
    expect(seen.get('/b')).toBeGreaterThan(0)
    expect(throughputPerSecond(result)).toBeGreaterThan(0)
    expect(result.ok).toBe(result.statuses['200'])
  })

  it('should give every request its own sequence number when the path asks for one', async () => {
    seen.clear()
    const result = await runLoad({
      target: { kind: 'http', port, paths: ['/q?id={seq}'] },
      concurrency: 4,
      warmupMs: 0,
      durationMs: 300,
      seqStart: 1000,
    })
    const ids = [...seen.keys()].map((url) => Number(/id=(\d+)/.exec(url)?.[1]))
    expect(new Set(ids).size).toBe(ids.length)
    expect([...seen.values()].every((n) => n === 1)).toBe(true)
    expect(Math.min(...result.seqs)).toBeGreaterThanOrEqual(1000)
    expect(result.seqs.every((s) => seen.has(`/q?id=${s}`))).toBe(true)
    expect(result.nextSeq).toBeGreaterThan(Math.max(...result.seqs))
  })

  it('should keep measuring past the duration until the minimum number of answers', async () => {
    const result = await runLoad({
      target: { kind: 'http', port, paths: ['/slow'] },
      concurrency: 1,
      warmupMs: 0,
      durationMs: 50,
      minRequests: 4,
    })
    expect(result.ok).toBeGreaterThanOrEqual(4)
  })

  it('should record transport errors instead of latencies when nothing listens', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const deadPort = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const result = await runLoad({
      target: { kind: 'http', port: deadPort, paths: ['/'] },
      concurrency: 1,
      warmupMs: 0,
      durationMs: 200,
    })
    expect(result.completed).toBe(0)
    expect(Object.keys(result.errors).join()).toMatch(/ECONNREFUSED/)
    expect(throughputPerSecond(result)).toBe(0)
  })
})
