// knative/Dockerfile cannot be built here (no Docker): these checks pin what the image must be.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KNATIVE_DIR } from './repo'

const dockerfile = readFileSync(join(KNATIVE_DIR, 'Dockerfile'), 'utf8')
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))

describe('knative/Dockerfile', () => {
  it('should build in one stage and run on a small base of the current Node LTS line (24) in another', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-alpine$/m)
    const stages = instructions.filter((l) => l.startsWith('FROM '))
    expect(stages).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime'])
    expect(instructions).toContain('RUN npm ci --no-audit --no-fund')
    expect(instructions).toContain('RUN npm run build')
  })

  it('should copy only the bundle chosen by ARG FUNCTION (entry and on-demand chunks) into the runtime image', () => {
    const runtime = instructions.slice(instructions.indexOf('FROM ${NODE_IMAGE} AS runtime'))
    expect(runtime).toContain('ARG FUNCTION')
    const copies = runtime.filter((l) => l.startsWith('COPY'))
    expect(copies).toEqual([
      'COPY --from=build --chown=65532:65532 /src/dist/${FUNCTION}.mjs /app/index.mjs',
      'COPY --from=build --chown=65532:65532 /src/dist/${FUNCTION}.chunks /app/${FUNCTION}.chunks',
    ])
  })

  it('should run as the non-root user the Knative Services expect, with the agreed command', () => {
    expect(instructions).toContain('USER 65532:65532')
    expect(instructions.at(-1)).toBe('CMD ["node", "/app/index.mjs"]')
  })

  it('should fill the compile cache by default, as the runtime user, and point Node at it', () => {
    expect(instructions).toContain('ARG COMPILE_CACHE=1')
    const fill = instructions.findIndex(
      (i) => i.startsWith('RUN') && i.includes('NODE_COMPILE_CACHE=')
    )
    expect(fill).toBeGreaterThan(instructions.indexOf('USER 65532:65532'))
    expect(instructions).toContain('ENV NODE_COMPILE_CACHE=${COMPILE_CACHE:+/app/.compile-cache}')
  })
})
