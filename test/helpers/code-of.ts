/**
 * The stable error code a call fails with: what a client reads in the JSON error body, so tests
 * assert on it rather than on messages. Anything thrown that is not a PxCanaryError fails the test.
 */
import { PxCanaryError } from '../../shared/errors'

function codeOfError(err: unknown): string {
  if (err instanceof PxCanaryError) return err.code
  throw err
}

/**
 * The code `run` throws (or, for a promise, rejects with); undefined when it succeeds.
 */
export function codeOf(run: Promise<unknown>): Promise<string | undefined>
export function codeOf(run: () => unknown): string | undefined
export function codeOf(
  run: Promise<unknown> | (() => unknown)
): Promise<string | undefined> | string | undefined {
  if (typeof run !== 'function') {
    return run.then(
      () => undefined,
      (err: unknown) => codeOfError(err)
    )
  }
  try {
    run()
  } catch (err) {
    return codeOfError(err)
  }
  return undefined
}
