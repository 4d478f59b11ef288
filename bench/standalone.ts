/**
 * The entry of a standalone bench script (an experiment or a tool run with `node --import tsx`):
 * every child process it started is stopped on each way out, and a failure is printed with the
 * script's name and ends the process with exit code 1.
 */
import { installExitCleanup, stopAll } from '../test/helpers/spawn'

export function runStandalone(name: string, main: () => Promise<void>): void {
  installExitCleanup()
  main().then(
    () => stopAll(),
    async (err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.stack : String(err)}\n`)
      await stopAll()
      process.exit(1)
    }
  )
}
