import { describe, expect, it } from 'vitest'
import {
  freePort,
  isRunning,
  liveCount,
  readCpuMs,
  readRssBytes,
  spawnTracked,
  stopProcess,
  waitForExit,
} from './spawn'

describe('stopProcess', () => {
  it('should SIGKILL a child that ignores SIGTERM, within the bounded wait', async () => {
    const child = spawnTracked(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); process.send('ready'); setInterval(() => {}, 1000)"],
      { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }
    )
    try {
      await new Promise((resolve) => child.once('message', resolve))
      await stopProcess(child, 300)
      expect(isRunning(child)).toBe(false)
      expect(child.signalCode).toBe('SIGKILL')
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('should let a child that honours SIGTERM exit by itself', async () => {
    const child = spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    })
    await stopProcess(child, 5000)
    expect(child.signalCode).toBe('SIGTERM')
    expect(liveCount()).toBe(0)
  })
})

describe('waitForExit', () => {
  it('should resolve false when the child outlives the wait', async () => {
    const child = spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    })
    try {
      expect(await waitForExit(child, 50)).toBe(false)
    } finally {
      await stopProcess(child)
    }
  })
})

describe('readRssBytes', () => {
  it('should read a live process resident size in bytes', () => {
    const rss = readRssBytes(process.pid)
    expect(rss).toBeGreaterThan(1024 * 1024)
  })

  it('should return undefined for a process that does not exist', () => {
    expect(readRssBytes(2 ** 22 + 12345)).toBeUndefined()
  })
})

describe('readCpuMs', () => {
  it('should read the CPU time a live process has used, growing as it works', () => {
    const before = readCpuMs(process.pid)
    expect(before).toBeGreaterThanOrEqual(0)
    // Busy until the kernel has counted at least one more clock tick (bounded).
    let after = before as number
    for (let i = 0; i < 1e4 && after === before; i++) {
      for (let j = 0; j < 1e5; j++) Math.sqrt(j)
      after = readCpuMs(process.pid) as number
    }
    expect(after).toBeGreaterThan(before as number)
  })

  it('should return undefined for a process that does not exist', () => {
    expect(readCpuMs(2 ** 22 + 12345)).toBeUndefined()
  })
})

describe('freePort', () => {
  it('should return a usable TCP port number', async () => {
    const port = await freePort()
    expect(port).toBeGreaterThan(0)
    expect(port).toBeLessThan(65536)
  })
})
