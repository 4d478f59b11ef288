import { describe, expect, it } from 'vitest'
import { DEFAULT_EXCLUDED_PATHS, excludedPathsPattern } from '../shared/pxl/exclusion'
import { DISTINCT_PATH_TEMPLATE, METRIC_PATH, seqOfCall, taggedPath } from './queries'

describe('taggedPath', () => {
  it('should keep the default probe exclusions and add one tag path', () => {
    const url = new URL(taggedPath('42'), 'http://x')
    expect(url.searchParams.get('exclude_paths')?.split(',')).toEqual([
      ...DEFAULT_EXCLUDED_PATHS,
      '/bench-42',
    ])
    expect(taggedPath('42').startsWith(METRIC_PATH)).toBe(true)
  })

  it('should leave a {seq} token for the load worker in the template', () => {
    expect(DISTINCT_PATH_TEMPLATE).toContain('/bench-{seq}')
  })
})

describe('seqOfCall', () => {
  it('should read the tag back from the PxL arguments the functions send', () => {
    const pattern = excludedPathsPattern([...DEFAULT_EXCLUDED_PATHS, '/bench-1234'])
    const execFuncs = [{ funcName: 'f', args: { excluded_paths: pattern }, outputTablePrefix: 't' }]
    expect(seqOfCall(execFuncs)).toBe(1234)
  })

  it('should return undefined for a call without a tag', () => {
    expect(seqOfCall([{ funcName: 'f', args: { namespace: 'default' } }])).toBeUndefined()
  })
})
