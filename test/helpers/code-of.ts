/**
 * The stable error code a call fails with (what a client reads in the JSON error body, so tests
 * assert on it rather than on messages), or the whole error where a test reads its message too.
 * Anything thrown that is not a PxCanaryError fails the test.
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

/** The PxCanaryError `run` throws (or, for a promise, rejects with); a call that succeeds fails. */
export function errorOf(run: Promise<unknown>): Promise<PxCanaryError>
export function errorOf(run: () => unknown): PxCanaryError
export function errorOf(
  run: Promise<unknown> | (() => unknown)
): Promise<PxCanaryError> | PxCanaryError {
  const expected = (err: unknown): PxCanaryError => {
    if (err instanceof PxCanaryError) return err
    throw err
  }
  const nothing = () => {
    throw new Error('expected a PxCanaryError')
  }
  if (typeof run !== 'function') return run.then(nothing, expected)
  try {
    run()
  } catch (err) {
    return expected(err)
  }
  return nothing()
}
