/**
 * The load generator, run as its own process (`node --import tsx bench/load-worker.ts`) so the
 * client's CPU never shares an event loop with the server under test or with the bench's timers.
 * It receives one LoadJob over IPC, runs a closed loop at fixed concurrency (each lane sends its
 * next request as soon as the previous answer arrives, over keep-alive connections), and replies
 * with one LoadResult. Latency is taken with performance.now() around each request (sub-ms).
 */
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'
import { createVizierClient } from '../shared/pixie/client'
import type { LoadJob, LoadResult, ReplayCall } from './load-protocol'
import { DIRECT_TAG_OFFSET, retagCall, SEQ_TOKEN } from './load-protocol'

/** Sends one request; resolves with the status key ('200', 'ok', ...), rejects on failure. */
type Sender = (seq: number) => Promise<string>

function httpSender(port: number, paths: string[], concurrency: number): [Sender, () => void] {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const send: Sender = (seq) =>
    new Promise((resolve, reject) => {
      const path = (paths[seq % paths.length] as string).split(SEQ_TOKEN).join(String(seq))
      const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent }, (res) => {
        res.on('data', () => {})
        res.on('end', () => resolve(String(res.statusCode ?? 0)))
        res.on('error', reject)
      })
      req.setTimeout(10_000, () => req.destroy(new Error('request timed out after 10000 ms')))
      req.on('error', reject)
      req.end()
    })
  return [send, () => agent.destroy()]
}

/** Replays `calls` in rotation; `fresh` retags each as a query the simulator has not seen. */
function grpcSender(address: string, calls: ReplayCall[], fresh = false): [Sender, () => void] {
  const client = createVizierClient({ mode: 'direct', address })
  const send: Sender = async (seq) => {
    const replayed = calls[seq % calls.length]
    if (!replayed) throw new Error('no calls to replay')
    const call = fresh ? retagCall(replayed, seq + DIRECT_TAG_OFFSET) : replayed
    await client.executeScript({
      script: call.script,
      execFuncs: call.execFuncs,
      queryName: call.queryName,
      timeoutMs: 10_000,
    })
    return 'ok'
  }
  return [send, () => void client.close()]
}

/** Times one send; rejects like the sender. */
async function timed(send: Sender, seq: number): Promise<[string, number]> {
  const t0 = performance.now()
  const status = await send(seq)
  return [status, performance.now() - t0]
}

async function run(job: LoadJob): Promise<LoadResult> {
  const target = job.target
  const closers: Array<() => void> = []
  let send: Sender
  let direct: Sender | undefined
  if (target.kind === 'grpc') {
    const [s, close] = grpcSender(target.address, target.calls)
    send = s
    closers.push(close)
  } else {
    const [s, close] = httpSender(target.port, target.paths, job.concurrency)
    send = s
    closers.push(close)
    if (target.kind === 'paired') {
      const [d, closeDirect] = grpcSender(target.address, target.calls, true)
      direct = d
      closers.push(closeDirect)
    }
  }
  const latenciesMs: number[] = []
  const directMs: number[] = []
  const seqs: number[] = []
  const entryOk: boolean[] = []
  const statuses: Record<string, number> = {}
  const errors: Record<string, number> = {}
  let ok = 0
  let seq = job.seqStart ?? 0
  let recording = false
  let stopAt = 0
  let phaseStart = 0
  let lastAnswer = 0

  let minRecorded = 0
  let hardStop = 0
  const more = (): boolean => {
    const now = performance.now()
    return now < stopAt || (latenciesMs.length < minRecorded && now < hardStop)
  }
  const lane = async (): Promise<void> => {
    while (more()) {
      const mySeq = seq++
      try {
        let status: string
        let ms: number
        let directLatency: number | undefined
        if (direct) {
          if (mySeq % 2 === 0) {
            ;[status, ms] = await timed(send, mySeq)
            directLatency = (await timed(direct, mySeq))[1]
          } else {
            directLatency = (await timed(direct, mySeq))[1]
            ;[status, ms] = await timed(send, mySeq)
          }
        } else {
          ;[status, ms] = await timed(send, mySeq)
        }
        if (recording) {
          latenciesMs.push(ms)
          if (directLatency !== undefined) directMs.push(directLatency)
          seqs.push(mySeq)
          statuses[status] = (statuses[status] ?? 0) + 1
          const success = status === '200' || status === 'ok'
          entryOk.push(success)
          if (success) ok++
          lastAnswer = performance.now()
        }
      } catch (err) {
        if (recording) {
          const key = (err instanceof Error ? err.message : String(err)).slice(0, 100)
          errors[key] = (errors[key] ?? 0) + 1
        }
      }
    }
  }

  const phase = async (ms: number, record: boolean): Promise<void> => {
    recording = record
    phaseStart = performance.now()
    lastAnswer = phaseStart
    stopAt = phaseStart + ms
    minRecorded = record ? (job.minRequests ?? 0) : 0
    hardStop = stopAt + 15_000
    await Promise.all(Array.from({ length: job.concurrency }, lane))
  }

  try {
    if (job.warmupMs > 0) await phase(job.warmupMs, false)
    await phase(job.durationMs, true)
  } finally {
    for (const close of closers) close()
  }
  return {
    latenciesMs,
    seqs,
    entryOk,
    ...(direct ? { directMs } : {}),
    statuses,
    ok,
    errors,
    elapsedMs: lastAnswer - phaseStart,
    completed: latenciesMs.length,
    nextSeq: seq,
  }
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (err: unknown) => process.send?.({ ok: false, error: String(err) }, () => process.exit(1))
  )
})
