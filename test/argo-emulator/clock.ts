/**
 * A compressed, virtual clock shared by an emulated Rollout and its AnalysisRuns.
 *
 * Emulated time only moves forward through timers (`sleep`), and each emulated millisecond takes
 * `timeScale` real milliseconds, so a 30 s interval takes 30 ms with timeScale 0.001 and nothing
 * at all with 0. While work runs inside `hold` (a web measurement, a hook that reconfigures a
 * simulator) emulated time stands still: machine speed never changes the order or the number of
 * measurements, which keeps tests about count, interval and limits exact on noisy machines.
 */

interface Timer {
  at: number
  seq: number
  resolve: () => void
}

export class VirtualClock {
  /** Real milliseconds per emulated millisecond. */
  readonly timeScale: number
  private nowMs = 0
  private seq = 0
  private timers: Timer[] = []
  private holds = 0
  private driving = false
  private wake: (() => void) | undefined

  constructor(timeScale = 0.001) {
    if (!(timeScale >= 0) || !Number.isFinite(timeScale)) {
      throw new Error(`timeScale must be a finite number >= 0, got ${timeScale}`)
    }
    this.timeScale = timeScale
  }

  /** Emulated milliseconds since the clock was created. */
  now(): number {
    return this.nowMs
  }

  /** Resolves once `ms` emulated milliseconds have passed; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleepUntil(this.nowMs + Math.max(0, ms), signal)
  }

  /** Resolves at emulated time `at` (immediately if it has passed); rejects when `signal` aborts. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: Math.max(at, this.nowMs), seq: this.seq++, resolve: () => {} }
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer)
        this.poke()
        reject(signal?.reason)
      }
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      this.poke()
      void this.drive()
    })
  }

  /** Runs `work` with emulated time frozen (a request in flight, a hook). */
  async hold<T>(work: () => Promise<T> | T): Promise<T> {
    this.holds++
    this.poke()
    try {
      return await work()
    } finally {
      this.holds--
      this.poke()
    }
  }

  private poke(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private waitForPoke(realMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let handle: NodeJS.Timeout | undefined
      const done = (): void => {
        if (handle !== undefined) clearTimeout(handle)
        resolve()
      }
      this.wake = done
      if (realMs !== undefined) handle = setTimeout(done, realMs)
    })
  }

  private async drive(): Promise<void> {
    if (this.driving) return
    this.driving = true
    try {
      while (this.timers.length > 0) {
        // Let continuations of fired timers run first: they may start holds or add timers.
        await new Promise<void>((resolve) => setImmediate(resolve))
        if (this.holds > 0) {
          await this.waitForPoke()
          continue
        }
        const next = this.timers[0]
        if (next === undefined) break
        if (next.at > this.nowMs) {
          const realDelay = (next.at - this.nowMs) * this.timeScale
          if (realDelay >= 1) {
            const startedReal = performance.now()
            await this.waitForPoke(realDelay)
            // Woken early (a hold began, a timer came or went): count the real time that passed.
            const passed = (performance.now() - startedReal) / this.timeScale
            this.nowMs = Math.min(next.at, this.nowMs + passed)
            if (this.nowMs < next.at) continue
          }
          this.nowMs = next.at
        }
        while (this.timers[0] !== undefined && this.timers[0].at <= this.nowMs) {
          this.timers.shift()?.resolve()
        }
      }
    } finally {
      this.driving = false
    }
  }
}
