import { describe, expect, it } from 'vitest'
import {
  col,
  compileErrorOf,
  HTTP_COLUMNS,
  makeSource,
  rowsOf,
  runScript,
  secondsAgo,
  tableFromRows,
  upid,
} from './fixtures'

const HTTP = tableFromRows('http_events', HTTP_COLUMNS, [
  [secondsAgo(1), upid(1), 2n, '/a', 'GET', 200n, 10n],
  [secondsAgo(2), upid(2), 2n, '/a', 'GET', 200n, 20n],
  [secondsAgo(3), upid(1), 2n, '/b', 'GET', 500n, 30n],
  [secondsAgo(4), upid(3), 2n, '/b', 'GET', 200n, 40n],
])
const NO_UPID = tableFromRows('no_upid', [col('x', 'INT64')], [[1n]])

const METADATA = {
  [upid(1)]: {
    pod: 'default/canary-7d9f-abcde',
    service: '["default/canary","default/canary-preview"]',
    namespace: 'default',
    replicaset: 'default/canary-7d9f',
    deployment: '',
    node: 'node-1',
    container: 'app',
    pod_id: 'uid-1',
  },
  [upid(2)]: {
    pod: 'other/web-1',
    service: 'other/web',
    namespace: 'other',
    replicaset: 'other/web-55aa',
  },
}

function ctxColumn(key: string): unknown[] {
  const script = `import px\ndf = px.DataFrame(table='http_events')\ndf.v = df.ctx['${key}']\npx.display(df, 'out')\n`
  return rowsOf(runScript(script, makeSource([HTTP, NO_UPID], METADATA)).get('out')).map((r) => r.v)
}

describe('df.ctx', () => {
  it('should resolve every key alias through the row upid', () => {
    const pods = ['default/canary-7d9f-abcde', 'other/web-1', 'default/canary-7d9f-abcde', '']
    expect(ctxColumn('pod')).toEqual(pods)
    expect(ctxColumn('pod_name')).toEqual(pods)
    const rs = ['default/canary-7d9f', 'other/web-55aa', 'default/canary-7d9f', '']
    for (const key of ['replicaset', 'replicaset_name', 'replica_set'])
      expect(ctxColumn(key)).toEqual(rs)
    expect(ctxColumn('namespace')).toEqual(['default', 'other', 'default', ''])
    expect(ctxColumn('service_name')).toEqual([
      '["default/canary","default/canary-preview"]',
      'other/web',
      '["default/canary","default/canary-preview"]',
      '',
    ])
    expect(ctxColumn('node_name')).toEqual(['node-1', '', 'node-1', ''])
    expect(ctxColumn('container')).toEqual(['app', '', 'app', ''])
    expect(ctxColumn('deployment')).toEqual(['', '', '', ''])
    expect(ctxColumn('pod_id')).toEqual(['uid-1', '', 'uid-1', ''])
  })

  it('should decode pid and asid from the upid', () => {
    // fixtures.upid(i): asid 1, pid 100 + i.
    expect(ctxColumn('pid')).toEqual([101n, 102n, 101n, 103n])
    expect(ctxColumn('asid')).toEqual([1n, 1n, 1n, 1n])
  })

  it('should set the metadata semantic types', () => {
    const script =
      "import px\ndf = px.DataFrame(table='http_events')\ndf.p = df.ctx['pod']\ndf.s = df.ctx['service']\ndf.n = df.ctx['namespace']\npx.display(df[['p', 's', 'n']], 'out')\n"
    const t = runScript(script, makeSource([HTTP], METADATA)).get('out')
    expect(t?.columns.map((c) => c.semanticType)).toEqual([400, 300, 700])
  })

  it('should select a service inside a JSON array with px.has_service_name', () => {
    const script =
      "import px\ndf = px.DataFrame(table='http_events')\ndf = df[px.has_service_name(df.ctx['service'], 'default/canary-preview')]\npx.display(df, 'out')\n"
    expect(
      rowsOf(runScript(script, makeSource([HTTP], METADATA)).get('out')).map((r) => r.latency)
    ).toEqual([10n, 30n])
    const eq =
      "import px\ndf = px.DataFrame(table='http_events')\ndf = df[df.ctx['service'] == 'default/canary-preview']\npx.display(df, 'out')\n"
    expect(rowsOf(runScript(eq, makeSource([HTTP], METADATA)).get('out'))).toEqual([])
  })

  it('should group by a metadata column', () => {
    const script =
      "import px\ndf = px.DataFrame(table='http_events')\ndf.rs = df.ctx['replicaset']\npx.display(df.groupby('rs').agg(n=('latency', px.count)), 'out')\n"
    expect(rowsOf(runScript(script, makeSource([HTTP], METADATA)).get('out'))).toEqual([
      { rs: 'default/canary-7d9f', n: 2n },
      { rs: 'other/web-55aa', n: 1n },
      { rs: '', n: 1n },
    ])
  })

  it('should look each upid up once per expression', () => {
    const source = makeSource([HTTP], METADATA)
    runScript("import px\ndf = px.DataFrame(table='http_events')\ndf.p = df.ctx['pod']\n", source)
    expect(source.lookups).toBe(3)
  })

  it('should resolve px.upid_to_* UDFs like ctx', () => {
    const script =
      "import px\ndf = px.DataFrame(table='http_events')\ndf.ns = px.upid_to_namespace(df.upid)\npx.display(df, 'out')\n"
    expect(
      rowsOf(runScript(script, makeSource([HTTP], METADATA)).get('out')).map((r) => r.ns)
    ).toEqual(['default', 'other', 'default', ''])
  })

  // pixie-io/pixie src/carnot/funcs/metadata/metadata_ops.h (UPIDToASIDUDF: the upid's high 32
  // bits, an INT64), registered as "upid_to_asid" in metadata_ops.cc: no metadata lookup.
  it('should read the agent id out of the upid with px.upid_to_asid, without metadata', () => {
    const script =
      "import px\ndf = px.DataFrame(table='http_events')\ndf.asid = px.upid_to_asid(df.upid)\npx.display(df, 'out')\n"
    const source = makeSource([HTTP], METADATA)
    const out = runScript(script, source).get('out')
    expect(out?.columns.find((c) => c.name === 'asid')?.type).toBe('INT64')
    expect(rowsOf(out).map((r) => r.asid)).toEqual(
      [upid(1), upid(2), upid(1), upid(3)].map((u) => BigInt(`0x${u.slice(0, 8)}`))
    )
    expect(source.lookups).toBe(0)
  })

  it('should reject an unknown key at the key', () => {
    const script = "import px\ndf = px.DataFrame(table='http_events')\ndf.l = df.ctx['labels']\n"
    expect(compileErrorOf(() => runScript(script, makeSource([HTTP], METADATA)))).toEqual({
      message: "'labels' is not a valid metadata key for df.ctx",
      line: 3,
      column: 15,
    })
  })

  it('should say when Pixie knows a key the simulator cannot resolve', () => {
    const script =
      "import px\ndf = px.DataFrame(table='http_events')\ndf.l = df.ctx['service_id']\n"
    expect(compileErrorOf(() => runScript(script, makeSource([HTTP], METADATA)))).toMatchObject({
      message: "ctx['service_id'] is valid in Pixie but not supported by the simulator",
    })
  })

  it('should require a upid column', () => {
    const script = "import px\ndf = px.DataFrame(table='no_upid')\ndf.p = df.ctx['pod']\n"
    expect(compileErrorOf(() => runScript(script, makeSource([HTTP, NO_UPID], METADATA)))).toEqual({
      message:
        "df.ctx['pod'] needs a UINT128 'upid' column in the DataFrame (select it from the table)",
      line: 3,
      column: 15,
    })
  })
})
