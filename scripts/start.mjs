// npm start: runs px-canary locally.
//
// - Without PX_API_KEY / PX_CLUSTER_ID: builds the bundles if needed, starts the Vizier simulator
//   in development mode (plaintext, no credentials: no real Pixie serves this) with the demo
//   scenario on 127.0.0.1:12345 and the three bundled functions against it
//   (error-rate 8081, latency 8082, throughput 8083), waits until each is ready and prints
//   example calls.
// - With both set: starts only the functions, against Pixie Cloud (PX_CLOUD_ADDR optional).
//
// Ctrl-C / SIGTERM stops every child and exits 0. Ports can be moved with PX_SIM_PORT,
// PX_SIM_ADMIN_PORT and PX_START_PORTS=8081,8082,8083 (0 = any free port).
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const FUNCTIONS = ['error-rate', 'latency', 'throughput']
const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000
const env = process.env
/** In-cluster mode is for a cluster; locally its variables are cleared (empty reads as unset). */
const NO_IN_CLUSTER = {
  PX_VIZIER_ADDR: '',
  PX_JWT_SIGNING_KEY_FILE: '',
  PX_VIZIER_CA_FILE: '',
  PX_VIZIER_SERVER_NAME: '',
  PX_VIZIER_INSECURE_SKIP_VERIFY: '',
}
const set = (name) => env[name] !== undefined && env[name] !== ''

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set()
let stopping = false

function log(line) {
  process.stdout.write(`[start] ${line}\n`)
}

function die(message) {
  process.stderr.write(`[start] ${message}\n`)
  void stop(1)
}

/** Newest modification time (ms) of the files under `dir` (recursive). */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path))
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/** True when some dist/<fn>.mjs is missing or older than the sources that go into it. */
function bundlesStale() {
  const sources = Math.max(
    newestMtime(join(root, 'functions')),
    newestMtime(join(root, 'shared')),
    statSync(join(root, 'esbuild.config.mjs')).mtimeMs,
    statSync(join(root, 'package-lock.json')).mtimeMs
  )
  return FUNCTIONS.some((name) => {
    const bundle = join(root, 'dist', `${name}.mjs`)
    return !existsSync(bundle) || statSync(bundle).mtimeMs < sources
  })
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}`))
    )
  })
}

/**
 * Starts a long-running child whose output lines are prefixed with its name. `onLine` sees every
 * stdout line (to learn the port it listens on). An unexpected exit stops everything.
 */
function startChild(name, args, childEnv, onLine) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  const pipe = (stream, out) => {
    let buffered = ''
    stream.setEncoding('utf8')
    stream.on('data', (text) => {
      buffered += text
      let nl
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (out === process.stdout) onLine?.(line)
        out.write(`[${name}] ${line}\n`)
      }
    })
  }
  pipe(child.stdout, process.stdout)
  pipe(child.stderr, process.stderr)
  child.on('exit', (code, signal) => {
    children.delete(child)
    if (!stopping) die(`${name} exited unexpectedly (${signal ?? `code ${code}`})`)
  })
  return child
}

/** Resolves with the value `extract` finds in one of the child's stdout lines; bounded. */
function waitForLine(name, register, extract) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS
    )
    register((line) => {
      const value = extract(line)
      if (value !== undefined) {
        clearTimeout(timer)
        resolve(value)
      }
    })
  })
}

/** Polls GET /health/readiness until 200; bounded. */
async function waitReady(name, port) {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/readiness`, {
        signal: AbortSignal.timeout(2000),
      })
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${name} was not ready on port ${port} within ${READY_TIMEOUT_MS / 1000} s`)
}

async function stop(code = 0) {
  if (stopping) return
  stopping = true
  const exits = [...children].map(
    (child) =>
      new Promise((resolve) =>
        child.exitCode !== null || child.signalCode !== null
          ? resolve()
          : child.once('exit', resolve)
      )
  )
  for (const child of children) child.kill('SIGTERM')
  const timer = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL')
  }, STOP_TIMEOUT_MS)
  await Promise.all(exits)
  clearTimeout(timer)
  process.exit(code)
}

function functionPorts() {
  const text = env.PX_START_PORTS ?? '8081,8082,8083'
  const ports = text.split(',').map((p) => Number(p.trim()))
  if (
    ports.length !== FUNCTIONS.length ||
    ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)
  ) {
    throw new Error(`PX_START_PORTS must be three ports, e.g. 8081,8082,8083 (got '${text}')`)
  }
  return ports
}

/** Reads the port from a function's JSON "listening" log line. */
function listeningPort(line) {
  try {
    const record = JSON.parse(line)
    return record.msg === 'listening' && typeof record.port === 'number' ? record.port : undefined
  } catch {
    return undefined
  }
}

async function startFunctions(pixieEnv) {
  const ports = functionPorts()
  const started = FUNCTIONS.map((name, i) => {
    let listener
    const child = startChild(
      name,
      [join('dist', `${name}.mjs`)],
      { ...env, ...pixieEnv, PORT: String(ports[i]), HOST: '127.0.0.1' },
      (line) => listener?.(line)
    )
    const port = waitForLine(name, (fn) => (listener = fn), listeningPort)
    return { name, child, port }
  })
  const result = {}
  for (const f of started) {
    const port = await f.port
    await waitReady(f.name, port)
    result[f.name] = port
  }
  return result
}

async function main() {
  process.on('SIGINT', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))

  const cloud = set('PX_API_KEY') || set('PX_CLUSTER_ID')
  if (cloud && !(set('PX_API_KEY') && set('PX_CLUSTER_ID'))) {
    throw new Error(
      'set both PX_API_KEY and PX_CLUSTER_ID (Pixie Cloud), or neither (local simulator)'
    )
  }
  functionPorts()
  if (bundlesStale()) {
    log('building function bundles (node esbuild.config.mjs)')
    await run(process.execPath, ['esbuild.config.mjs'])
  }

  if (cloud) {
    log(
      `Pixie Cloud mode: cluster ${env.PX_CLUSTER_ID} via ${env.PX_CLOUD_ADDR || 'the default cloud address'}`
    )
    const ports = await startFunctions({ PX_DIRECT_ADDR: '', ...NO_IN_CLUSTER })
    printCloudHelp(ports)
    return
  }

  const simPort = env.PX_SIM_PORT ?? '12345'
  const adminPort = env.PX_SIM_ADMIN_PORT ?? '12346'
  const scenario = env.PX_SIM_SCENARIO ?? join('scenarios', 'demo.json')
  let simListener
  startChild(
    'simulator',
    [
      '--import',
      'tsx',
      join('simulator', 'main.ts'),
      '--scenario',
      scenario,
      '--port',
      simPort,
      '--admin-port',
      adminPort,
    ],
    env,
    (line) => simListener?.(line)
  )
  const [simAddress, controlPort] = await waitForLine(
    'simulator',
    (fn) => (simListener = fn),
    (line) => {
      const match = /on (127\.0\.0\.1:\d+), control on http:\/\/127\.0\.0\.1:(\d+)/.exec(line)
      return match ? [match[1], match[2]] : undefined
    }
  )
  const ports = await startFunctions({
    PX_DIRECT_ADDR: simAddress,
    PX_API_KEY: '',
    PX_CLUSTER_ID: '',
    ...NO_IN_CLUSTER,
  })
  printDemoHelp(ports, simAddress, controlPort)
}

function printDemoHelp(ports, simAddress, adminPort) {
  const er = `http://127.0.0.1:${ports['error-rate']}`
  const lat = `http://127.0.0.1:${ports.latency}`
  const tp = `http://127.0.0.1:${ports.throughput}`
  process.stdout.write(`
px-canary is running locally against the Vizier simulator (demo scenario) at ${simAddress},
in development mode: plaintext HTTP/2 without credentials, which no real Pixie offers. In a cluster,
use cloud mode or in-cluster mode (README.md, "Deploying to a cluster").
  error-rate  ${er}
  latency     ${lat}
  throughput  ${tp}

Try:
  # healthy canary (as stable: about 0.5 % errors)
  curl -s '${er}/?namespace=default&replicaset=canary-demo-7d9f8c6b5'
  # bad canary (bad-red: about 80 % 500s)
  curl -s '${er}/?namespace=default&replicaset=canary-demo-6c8d4b9f7'
  # stable, by rollout + pod-template hash
  curl -s '${er}/?namespace=default&rollout=canary-demo&hash=5b9d7c6f48'
  # the Pixie demo's path form
  curl -s '${er}/error-rate/default/canary-demo-7d9f8c6b5'
  # p99 latency of every pod behind the preview service
  curl -s '${lat}/?namespace=default&service=canary-demo-preview&quantile=p99'
  # requests per second of the stable pods over 5 minutes
  curl -s '${tp}/?namespace=default&replicaset=canary-demo-5b9d7c6f48&window=5m'
  # no traffic is never a healthy zero: value null, requests 0
  curl -s '${er}/?namespace=default&replicaset=canary-demo-0000000000'

Faults (simulator control port ${adminPort}):
  curl -s -X PUT http://127.0.0.1:${adminPort}/faults -d '{"error":"unavailable"}'   # then any call -> 502
  curl -s -X PUT http://127.0.0.1:${adminPort}/faults -d '{"latencyMs":30000}'       # -> 504
  curl -s -X DELETE http://127.0.0.1:${adminPort}/faults
  curl -s -X PUT http://127.0.0.1:${adminPort}/multiplier -d '{"multiplier":100}'

Ctrl-C stops everything.
`)
  log('ready')
}

function printCloudHelp(ports) {
  process.stdout.write(`
px-canary is running against Pixie Cloud.
  error-rate  http://127.0.0.1:${ports['error-rate']}
  latency     http://127.0.0.1:${ports.latency}
  throughput  http://127.0.0.1:${ports.throughput}

Try:
  curl -s 'http://127.0.0.1:${ports['error-rate']}/?namespace=<ns>&rollout=<rollout>&hash=<pod-template-hash>'

Ctrl-C stops everything.
`)
  log('ready')
}

main().catch((err) => die(err instanceof Error ? err.message : String(err)))
