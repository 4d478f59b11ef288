// vitest global setup: builds the function bundles once per test run, so tests that spawn a
// bundled function always run the code in this checkout. PX_CANARY_SKIP_BUNDLES=1 skips it when
// running only tests that do not spawn bundles.
import { buildFunctions } from '../../esbuild.config.mjs'

export default async function setup(): Promise<void> {
  if (process.env.PX_CANARY_SKIP_BUNDLES === '1') return
  await buildFunctions({ quiet: true })
}
