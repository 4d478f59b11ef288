import { describe, expect, it } from 'vitest'
import { VirtualClock } from './clock'

describe('VirtualClock', () => {
  it('should wake sleepers in emulated-time order and advance now() to their time', async () => {
    const clock = new VirtualClock(0)
    const woke: Array<[string, number]> = []
    await Promise.all([
      clock.sleep(30_000).then(() => woke.push(['b', clock.now()])),
      clock.sleep(10_000).then(() => woke.push(['a', clock.now()])),
      clock.sleepUntil(60_000).then(() => woke.push(['c', clock.now()])),
    ])
    expect(woke).toEqual([
      ['a', 10_000],
      ['b', 30_000],
      ['c', 60_000],
    ])
  })

  it('should freeze emulated time while work is held', async () => {
    const clock = new VirtualClock(0)
    let seenDuringHold = -1
    const sleeper = clock.sleep(1_000)
    const held = clock.hold(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      seenDuringHold = clock.now()
    })
    let sleeperDone = false
    void sleeper.then(() => (sleeperDone = true))
    await held
    expect(seenDuringHold).toBe(0)
    expect(sleeperDone).toBe(false)
    await sleeper
    expect(clock.now()).toBe(1_000)
  })

  it('should reject a sleep when its signal aborts, without moving time', async () => {
    const clock = new VirtualClock(0)
    const controller = new AbortController()
    const sleeping = clock.sleep(5_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    expect(clock.now()).toBe(0)
  })

  it('should compress emulated time by the time scale', async () => {
    const clock = new VirtualClock(0.001)
    await clock.sleep(30_000)
    expect(clock.now()).toBe(30_000)
  })

  it('should reject a negative or non-finite time scale', () => {
    expect(() => new VirtualClock(-1)).toThrow()
    expect(() => new VirtualClock(Number.POSITIVE_INFINITY)).toThrow()
  })
})
