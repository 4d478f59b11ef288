/**
 * The HTTP contract's parameters, in one module: which query parameters exist, what each accepts,
 * and the error each bad value gets. Every failure is a PxCanaryError whose code names the
 * parameter (invalid_window, missing_namespace, ...) and whose message says what is allowed, so an
 * Argo measurement message tells the operator how to fix the template. Unknown parameters are
 * refused rather than ignored: a typo (`windw=5m`) must never silently measure something else.
 */
import * as z from 'zod/mini'
import { PxCanaryError } from './errors'
import {
  boundedString,
  invalidParameter,
  parseParameter,
  converting,
  requestPathProblem,
  shown,
} from './parameter'
import { FILTER_PARAMS, parseRequestFilters } from './filters'
import type { RequestFilters } from './filters'
import { DEFAULT_EXCLUDED_PATHS } from './pxl/exclusion'
import type { Selector } from './selector'
import { notForProtocol, parseProtocol, PROTOCOL_DEFAULT_EXCLUDED_PATHS } from './protocol'
import type { Protocol } from './protocol'

/** Raw query parameters: name -> every value given (Hono's `c.req.queries()`). */
export type RawParams = Record<string, string[]>

/** Parameters every metric accepts, validated. */
export interface CommonParams {
  selector: Selector
  /**
   * The pods to compare the canary with (same namespace), measured by the same query; null
   * without a baseline selector.
   */
  baseline: Selector | null
  /** Window length in whole seconds, ending now. */
  windowSeconds: number
  /** Exact paths whose requests are ignored; empty when exclusion is disabled. */
  excludedPaths: readonly string[]
  /** Which requests count, by path and method; each null when not filtered. */
  filters: RequestFilters
  /** Which traffic is measured (shared/protocol.ts); http unless asked. */
  protocol: Protocol
}

/** What a metric's parameters may depend on besides their own values. */
export interface ParamContext {
  /** The validated baseline selector, null without one (comparison parameters need one). */
  readonly baseline: Selector | null
}

/** A metric's own parameters: their names and how to turn the raw values into P. */
export interface ExtraParams<P> {
  readonly names: readonly string[]
  /** Receives only this metric's parameters (undefined when absent); throws PxCanaryError. */
  parse(values: Readonly<Record<string, string | undefined>>, context: ParamContext): P
}

/** Everything one request asks for, validated. */
export type MetricQuery<P> = CommonParams & { params: P }

const DEFAULT_WINDOW_SECONDS = 60
const MIN_WINDOW_SECONDS = 10
const MAX_WINDOW_SECONDS = 3600
const MAX_EXCLUDED_PATHS = 32
const MAX_PATH_LENGTH = 256

/** The canary selector parameters. */
const SELECTOR_PARAMS = ['replicaset', 'rollout', 'hash', 'pod', 'service'] as const
/** Each baseline parameter is validated, and described, like the canary one it mirrors. */
const BASELINE_OF = {
  baseline_replicaset: 'replicaset',
  baseline_hash: 'hash',
  baseline_pod: 'pod',
  baseline_service: 'service',
} as const
/** The baseline selector parameters. */
export const BASELINE_PARAMS = Object.keys(BASELINE_OF) as (keyof typeof BASELINE_OF)[]
/** The parameters every metric accepts. */
const COMMON_PARAMS = [
  'namespace',
  ...SELECTOR_PARAMS,
  ...BASELINE_PARAMS,
  'window',
  'exclude_paths',
  ...FILTER_PARAMS,
  'protocol',
] as const

// Kubernetes name rules (DNS-1123 label, DNS-1123 subdomain, DNS-1035 label for Services).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
// A prefix of a pod name: may stop anywhere, e.g. right after the hash's trailing dash.
const NAME_PREFIX = /^[a-z0-9][-a-z0-9.]*$/
const HASH = /^[a-z0-9]+$/
const WINDOW = /^([1-9][0-9]{0,5})(s|m|h)?$/

const schemas = {
  namespace: boundedString(63, DNS_LABEL),
  replicaset: boundedString(253, DNS_SUBDOMAIN),
  rollout: boundedString(253, DNS_SUBDOMAIN),
  hash: boundedString(63, HASH),
  pod: boundedString(253, NAME_PREFIX),
  service: boundedString(63, DNS_1035_LABEL),
  /** Parsed once: the number and unit to whole seconds, within the bounds. */
  window: converting(z.string().check(z.maxLength(8, { abort: true })), (value, refuse) => {
    const match = WINDOW.exec(value)
    if (match === null) return refuse()
    const unit = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1
    const seconds = Number(match[1]) * unit
    if (seconds < MIN_WINDOW_SECONDS || seconds > MAX_WINDOW_SECONDS) return refuse()
    return seconds
  }),
  exclude_paths: converting(z.string(), (value, refuse): readonly string[] | undefined => {
    if (value === 'none') return []
    const paths = value.split(',')
    if (paths.length > MAX_EXCLUDED_PATHS) return refuse(' (too many)')
    for (const path of paths) {
      if (requestPathProblem(path, MAX_PATH_LENGTH) !== undefined) {
        return refuse(` (bad path ${shown(path)})`)
      }
    }
    return [...new Set(paths)]
  }),
}

/** What each parameter allows, stated in every error about it. */
const ALLOWED: Record<string, string> = {
  namespace: 'a namespace name (DNS-1123 label: lowercase letters, digits and -, at most 63)',
  replicaset:
    'a replicaset name (DNS-1123 subdomain: lowercase letters, digits, - and ., at most 253)',
  rollout: 'a Rollout name (DNS-1123 subdomain: lowercase letters, digits, - and ., at most 253)',
  hash: 'a pod-template hash (lowercase letters and digits, at most 63)',
  pod: 'a pod-name prefix (lowercase letters, digits, - and ., starting with a letter or digit, at most 253)',
  service:
    'a Service name (DNS-1035 label: lowercase letters, digits and -, starting with a letter, at most 63)',
  window: `a duration from ${MIN_WINDOW_SECONDS}s to 1h: a number with unit s, m or h (30s, 5m, 1h) or plain seconds; default ${DEFAULT_WINDOW_SECONDS}s`,
  exclude_paths: `a comma-separated list of at most ${MAX_EXCLUDED_PATHS} absolute paths like /healthz (without query string; requests with a query string are excluded too), or none to count every path; default ${DEFAULT_EXCLUDED_PATHS.join(',')}`,
}

/** What a parameter allows; a baseline parameter allows what its canary counterpart does. */
function allowed(name: string): string {
  return ALLOWED[name] ?? ALLOWED[BASELINE_OF[name as keyof typeof BASELINE_OF]] ?? 'valid'
}

function invalid(name: string, value: string, why = ''): PxCanaryError {
  return invalidParameter(name, allowed(name), value, why)
}

function missing(name: string, why = ''): PxCanaryError {
  return new PxCanaryError(`missing_${name}`, `${name} is required${why}: ${allowed(name)}`, {
    details: { parameter: name },
  })
}

/** Validates one present value against its schema, through the one hook. */
function check<T>(name: string, value: string, schema: z.ZodMiniType<T, string>): T {
  return parseParameter(name, value, schema, allowed(name))
}

function parseSelector(namespace: string, one: (name: string) => string | undefined): Selector {
  const given = {
    replicaset: one('replicaset'),
    rollout: one('rollout'),
    hash: one('hash'),
    pod: one('pod'),
    service: one('service'),
  }
  const kinds = [
    given.replicaset !== undefined && 'replicaset',
    (given.rollout !== undefined || given.hash !== undefined) && 'rollout+hash',
    given.pod !== undefined && 'pod',
    given.service !== undefined && 'service',
  ].filter((k): k is string => k !== false)
  if (kinds.length === 0) {
    throw new PxCanaryError(
      'missing_selector',
      'exactly one selector is required: replicaset, rollout + hash, pod (a pod-name prefix) or service',
      { details: { parameter: 'selector' } }
    )
  }
  if (kinds.length > 1) {
    throw new PxCanaryError(
      'conflicting_selectors',
      `exactly one selector is allowed, got ${kinds.join(' and ')}: choose one of replicaset, rollout + hash, pod or service`,
      { details: { selectors: kinds } }
    )
  }
  if (given.replicaset !== undefined) {
    return {
      kind: 'replicaset',
      namespace,
      replicaset: check('replicaset', given.replicaset, schemas.replicaset),
    }
  }
  if (given.pod !== undefined) {
    return { kind: 'pod', namespace, pod: check('pod', given.pod, schemas.pod) }
  }
  if (given.service !== undefined) {
    return { kind: 'service', namespace, service: check('service', given.service, schemas.service) }
  }
  if (given.rollout === undefined) throw missing('rollout', ' with hash')
  if (given.hash === undefined) throw missing('hash', ' with rollout')
  const rollout = check('rollout', given.rollout, schemas.rollout)
  const hash = check('hash', given.hash, schemas.hash)
  const replicaset = `${rollout}-${hash}`
  if (replicaset.length > 253) {
    throw invalid('rollout', rollout, ' (the replicaset <rollout>-<hash> exceeds 253 characters)')
  }
  return { kind: 'replicaset', namespace, replicaset, rollout, hash }
}

/**
 * The baseline selector (at most one of baseline_replicaset, baseline_hash with rollout,
 * baseline_pod, baseline_service), in the canary's namespace; null without one. A baseline that
 * names the canary's own pods is refused: the comparison would always find no difference.
 */
function parseBaseline(
  namespace: string,
  canary: Selector,
  one: (name: string) => string | undefined
): Selector | null {
  const given = BASELINE_PARAMS.filter((name) => one(name) !== undefined)
  if (given.length === 0) return null
  if (given.length > 1) {
    throw new PxCanaryError(
      'conflicting_selectors',
      `at most one baseline selector is allowed, got ${given.join(' and ')}: choose one of baseline_hash (with rollout), baseline_replicaset, baseline_pod or baseline_service`,
      { details: { selectors: given } }
    )
  }
  const name = given[0]!
  const value = check(name, one(name)!, schemas[BASELINE_OF[name]])
  let baseline: Selector
  switch (name) {
    case 'baseline_replicaset':
      baseline = { kind: 'replicaset', namespace, replicaset: value }
      break
    case 'baseline_pod':
      baseline = { kind: 'pod', namespace, pod: value }
      break
    case 'baseline_service':
      baseline = { kind: 'service', namespace, service: value }
      break
    case 'baseline_hash': {
      if (canary.kind !== 'replicaset' || canary.rollout === undefined) {
        throw missing(
          'rollout',
          ' with baseline_hash (the baseline is the replicaset <rollout>-<baseline_hash>; select the canary with rollout + hash)'
        )
      }
      const replicaset = `${canary.rollout}-${value}`
      if (replicaset.length > 253) {
        throw invalid(
          name,
          value,
          ' (the replicaset <rollout>-<baseline_hash> exceeds 253 characters)'
        )
      }
      baseline = { kind: 'replicaset', namespace, replicaset, rollout: canary.rollout, hash: value }
      break
    }
  }
  if (baseline.kind === canary.kind && selectorValue(baseline) === selectorValue(canary)) {
    throw invalid(name, value, ', other than the canary (it selects the same pods)')
  }
  return baseline
}

/** The name a selector matches, whatever its kind. */
function selectorValue(selector: Selector): string {
  switch (selector.kind) {
    case 'replicaset':
      return selector.replicaset
    case 'pod':
      return selector.pod
    case 'service':
      return selector.service
  }
}

/**
 * Every parameter a metric accepts: the common ones, then the metric's own. Anything else is
 * refused as unknown_parameter, so this list is the contract tests and manifests check against.
 */
export function parameterNames(extra: Pick<ExtraParams<unknown>, 'names'>): readonly string[] {
  return [...COMMON_PARAMS, ...extra.names]
}

/**
 * Validates a request's parameters against the HTTP contract plus a metric's own parameters.
 *
 * @throws PxCanaryError (400 family): unknown_parameter, invalid_<name>, missing_<name>,
 *   missing_selector, conflicting_selectors
 */
export function parseMetricQuery<P>(raw: RawParams, extra: ExtraParams<P>): MetricQuery<P> {
  const known = new Set<string>(parameterNames(extra))
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) {
      throw new PxCanaryError(
        'unknown_parameter',
        `unknown parameter ${shown(name)}; allowed: ${[...known].join(', ')}`,
        { details: { parameter: name.slice(0, 64) } }
      )
    }
  }
  const one = (name: string): string | undefined => {
    const values = raw[name]
    if (values === undefined || values.length === 0) return undefined
    if (values.length > 1) {
      throw new PxCanaryError(
        `invalid_${name}`,
        `${name} must be given at most once (got it ${values.length} times)`,
        { details: { parameter: name } }
      )
    }
    return values[0]
  }
  // Repeats are refused before anything else, whichever parameter they concern.
  for (const name of known) one(name)

  const namespaceValue = one('namespace')
  if (namespaceValue === undefined) throw missing('namespace')
  const namespace = check('namespace', namespaceValue, schemas.namespace)
  const selector = parseSelector(namespace, one)
  const baseline = parseBaseline(namespace, selector, one)
  const windowValue = one('window')
  const windowSeconds =
    windowValue === undefined
      ? DEFAULT_WINDOW_SECONDS
      : check('window', windowValue, schemas.window)
  const protocol = parseProtocol(one('protocol'))
  const excludedValue = one('exclude_paths')
  const pathValue = one('path')
  const methodValue = one('method')
  if (protocol === 'mysql') {
    const why = 'a query has no path'
    if (excludedValue !== undefined)
      throw notForProtocol('exclude_paths', protocol, excludedValue, why)
    if (pathValue !== undefined) throw notForProtocol('path', protocol, pathValue, why)
  }
  if (protocol !== 'http' && methodValue !== undefined) {
    const why =
      protocol === 'grpc'
        ? 'gRPC calls are POSTs; use path=/package.Service/Method'
        : 'a query has no method'
    throw notForProtocol('method', protocol, methodValue, why)
  }
  const excludedPaths =
    excludedValue !== undefined
      ? check('exclude_paths', excludedValue, schemas.exclude_paths)
      : protocol === 'http'
        ? DEFAULT_EXCLUDED_PATHS
        : PROTOCOL_DEFAULT_EXCLUDED_PATHS[protocol]
  const filters = parseRequestFilters({ path: pathValue, method: methodValue })
  const values: Record<string, string | undefined> = {}
  for (const name of extra.names) values[name] = one(name)
  return {
    selector,
    baseline,
    windowSeconds,
    excludedPaths,
    filters,
    protocol,
    params: extra.parse(values, { baseline }),
  }
}

/** Metrics without parameters of their own (throughput). */
export const noExtraParams: ExtraParams<Record<string, never>> = {
  names: [],
  parse: () => ({}),
}

/** One of a metric's own parameters: its zod schema, what it allows (stated in every error), its default. */
export interface ParameterSpec<T> {
  readonly schema: z.ZodMiniType<T, string>
  readonly allowed: string
  readonly fallback: T
}

/**
 * A metric's own parameter `name`, validated through the one hook and delivered as `params[key]`
 * (absent: the spec's default).
 *
 * @example ownParameter('quantile', 'quantile', { schema: z.enum(['p50', 'p99']), allowed, fallback: 'p99' })
 */
export function ownParameter<K extends string, T>(
  name: string,
  key: K,
  spec: ParameterSpec<T>
): ExtraParams<Record<K, T>> {
  return {
    names: [name],
    parse: (values) => {
      const value = values[name]
      const parsed =
        value === undefined ? spec.fallback : parseParameter(name, value, spec.schema, spec.allowed)
      return { [key]: parsed } as Record<K, T>
    },
  }
}
