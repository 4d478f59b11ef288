/**
 * Kubernetes-dialect JSONPath (`{$.error_rate}`, `{.items[0].v}`) as Argo's web provider applies
 * it: the expression is evaluated with jsonpath-plus after stripping the braces and prefixing `$`,
 * and only the first match is used (argo-knative-peers.md A2). The k8s template features outside
 * one `{...}` expression (text, range/end) are not supported; Argo's web metrics do not use them.
 */
import { JSONPath } from 'jsonpath-plus'

/** The path matched nothing, or could not be parsed: Argo records an Error measurement. */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError'
}

/** Converts `{$.a.b}` / `{.a.b}` / `{$}` into a jsonpath-plus expression. */
export function toJsonPathPlus(k8sPath: string): string {
  const trimmed = k8sPath.trim() === '' ? '{$}' : k8sPath.trim()
  const match = /^\{(.*)\}$/s.exec(trimmed)
  if (!match || match[1] === undefined || /[{}]/.test(match[1])) {
    throw new JsonPathError(`unsupported JSONPath template ${JSON.stringify(k8sPath)}`)
  }
  let inner = match[1].trim()
  if (/^range\b|^end\b/.test(inner)) {
    throw new JsonPathError(`unsupported JSONPath template ${JSON.stringify(k8sPath)}`)
  }
  if (inner === '' || inner === '$' || inner === '@') return '$'
  if (inner.startsWith('@')) inner = inner.slice(1)
  if (inner.startsWith('$')) return inner
  return inner.startsWith('.') || inner.startsWith('[') ? `$${inner}` : `$.${inner}`
}

/** True when the path can match several elements (wildcards, slices, filters, recursion). */
function isMultiMatch(path: string): boolean {
  return /\[\*\]|\.\*|\.\.|\[\?|:|,/.test(path)
}

/**
 * Evaluates `k8sPath` over `data` and returns the first matched value, which may be null. Throws
 * JsonPathError when nothing matches, with Argo's two messages: "... is not found" for a plain path
 * and "result of web metric produced no value" for a multi-match path that matched no element.
 */
export function firstJsonPathValue(k8sPath: string, data: unknown): unknown {
  const path = toJsonPathPlus(k8sPath)
  if (path === '$') {
    if (data === null) {
      // Argo's behaviour for a body that is literally `null` with {$} is unverified (the client-go
      // code path looks like a panic); the emulator reports it instead of guessing.
      throw new JsonPathError('Could not find JSONPath in body: the whole body is null')
    }
    return data
  }
  let results: unknown[]
  try {
    results = JSONPath({ path, json: data as object, wrap: true, eval: 'safe' }) as unknown[]
  } catch (err) {
    throw new JsonPathError(`Could not find JSONPath in body: ${(err as Error).message}`)
  }
  if (!Array.isArray(results) || results.length === 0) {
    if (isMultiMatch(path)) throw new JsonPathError('result of web metric produced no value')
    throw new JsonPathError(`Could not find JSONPath in body: ${k8sPath} is not found`)
  }
  return results[0]
}
