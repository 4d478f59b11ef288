/**
 * Translates an RE2 pattern (what px.regex_match takes) into a JavaScript RegExp that matches only
 * the WHOLE input, as RE2::FullMatch does. The common syntax is shared; the differences handled:
 * - `(?P<name>...)` named groups, leading `(?i)`/`(?s)`/`(?m)` flags, `\A`, `\z`, `\Q...\E`,
 *   `\x{...}`, `\pN`/`\p{Greek}`, POSIX classes `[[:alpha:]]`, RE2's ASCII-only `\s`;
 * - RE2 treats a `{` that does not start a repetition, and a stray `]` or `}`, as literals.
 * Patterns RE2 itself rejects (backreferences, lookaround, `\Z`, unknown escapes, unbalanced
 * groups) come back as `invalid`: Pixie's RegexMatchUDF then matches nothing (regex_ops.h,
 * code-read). Valid RE2 the simulator cannot express (inline flags after the start, `(?U)`, `\C`,
 * negated POSIX classes) throws Re2UnsupportedError so the gap is loud, never silently wrong.
 */

export class Re2UnsupportedError extends Error {
  override readonly name = 'Re2UnsupportedError'
}

export type Re2Translation = { kind: 'ok'; regexp: RegExp } | { kind: 'invalid'; reason: string }

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\\x07',
  f: '\\f',
  n: '\\n',
  r: '\\r',
  t: '\\t',
  v: '\\x0B',
}

class Invalid extends Error {}

/** Translates `pattern`; the RegExp is sticky and anchored at the end, so use fullMatch(). */
export function translateRe2(pattern: string): Re2Translation {
  let body: string
  let flags: string
  try {
    ;({ body, flags } = new Translator(pattern).run())
  } catch (err) {
    if (err instanceof Invalid) return { kind: 'invalid', reason: err.message }
    throw err
  }
  try {
    return { kind: 'ok', regexp: new RegExp(`(?:${body})(?![\\s\\S])`, `${flags}uy`) }
  } catch (err) {
    return { kind: 'invalid', reason: (err as Error).message }
  }
}

/** True when `re` (from translateRe2) matches the whole of `input`. */
export function fullMatch(re: RegExp, input: string): boolean {
  re.lastIndex = 0
  return re.test(input)
}

function codePointEscape(ch: string): string {
  return `\\u{${(ch.codePointAt(0) as number).toString(16)}}`
}

class Translator {
  private i = 0
  private out = ''
  private flags = ''
  private depth = 0

  constructor(private readonly p: string) {}

  run(): { body: string; flags: string } {
    this.leadingFlags()
    while (this.i < this.p.length) this.outside()
    if (this.depth !== 0) throw new Invalid('missing )')
    return { body: this.out, flags: this.flags }
  }

  private leadingFlags(): void {
    const m = /^\(\?([imsU]+)\)/.exec(this.p)
    if (m === null) return
    const letters = m[1] as string
    if (letters.includes('U'))
      throw new Re2UnsupportedError('RE2 flag (?U) (ungreedy) is not supported by the simulator')
    this.flags = [...new Set(letters)].join('')
    this.i = m[0].length
  }

  private outside(): void {
    const c = this.p[this.i] as string
    switch (c) {
      case '\\':
        this.out += this.escape(false)
        return
      case '[':
        this.charClass()
        return
      case '(':
        this.group()
        return
      case ')':
        if (this.depth === 0) throw new Invalid('unexpected )')
        this.depth--
        this.out += ')'
        this.i++
        return
      case '{': {
        const m = /^\{\d+(?:,\d*)?\}/.exec(this.p.slice(this.i))
        if (m !== null && this.out.length > 0) {
          this.out += m[0]
          this.i += m[0].length
          if (this.p[this.i] === '?') {
            this.out += '?'
            this.i++
          }
        } else {
          this.out += '\\{'
          this.i++
        }
        return
      }
      case '}':
      case ']':
        this.out += '\\' + c
        this.i++
        return
      default: {
        const cp = String.fromCodePoint(this.p.codePointAt(this.i) as number)
        this.out += cp
        this.i += cp.length
      }
    }
  }

  private group(): void {
    const rest = this.p.slice(this.i)
    this.depth++
    if (!rest.startsWith('(?')) {
      this.out += '('
      this.i++
      return
    }
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest)
    if (named !== null) {
      this.out += `(?<${named[1]}>`
      this.i += named[0].length
      return
    }
    if (rest.startsWith('(?:')) {
      this.out += '(?:'
      this.i += 3
      return
    }
    if (/^\(\?(?:=|!|<=|<!)/.test(rest)) throw new Invalid('lookaround is not supported by RE2')
    if (/^\(\?-?[imsU]+(?:-[imsU]+)?[:)]/.test(rest)) {
      throw new Re2UnsupportedError(
        'RE2 inline flags other than at the start of the pattern are not supported by the simulator'
      )
    }
    throw new Invalid('invalid or unsupported Perl syntax')
  }

  private charClass(): void {
    this.i++
    let cls = '['
    if (this.p[this.i] === '^') {
      cls += '^'
      this.i++
    }
    if (this.p[this.i] === ']') {
      cls += '\\]'
      this.i++
    }
    for (;;) {
      if (this.i >= this.p.length) throw new Invalid('missing ]')
      const c = this.p[this.i] as string
      if (c === ']') {
        this.i++
        break
      }
      if (c === '[') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i))
        if (posix !== null) {
          const expansion = POSIX_CLASSES[posix[2] as string]
          if (expansion === undefined)
            throw new Invalid(`invalid character class range ${posix[0]}`)
          if (posix[1] === '^')
            throw new Re2UnsupportedError(
              'negated POSIX classes are not supported by the simulator'
            )
          cls += expansion
          this.i += posix[0].length
          continue
        }
        cls += '\\['
        this.i++
        continue
      }
      if (c === '\\') {
        cls += this.escape(true)
        continue
      }
      const cp = String.fromCodePoint(this.p.codePointAt(this.i) as number)
      cls += cp === '-' ? '-' : /[A-Za-z0-9 ]/.test(cp) ? cp : codePointEscape(cp)
      this.i += cp.length
    }
    this.out += cls + ']'
  }

  /** Translates the escape at this.i (a backslash); `inClass` selects class-safe output. */
  private escape(inClass: boolean): string {
    const c = this.p[this.i + 1]
    if (c === undefined) throw new Invalid('trailing \\')
    this.i += 2
    if ('dDwW'.includes(c)) return '\\' + c
    if (c === 'b' || c === 'B') {
      if (inClass) throw new Invalid('\\b is not valid inside a character class')
      return '\\' + c
    }
    if (c === 's') return inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]'
    if (c === 'S') return inClass ? '\\S' : '[^\\t\\n\\f\\r ]'
    if (!inClass && c === 'A') return '(?<![\\s\\S])'
    if (!inClass && c === 'z') return '(?![\\s\\S])'
    if (c === 'C') throw new Re2UnsupportedError('\\C (any byte) is not supported by the simulator')
    if (c === 'Q') {
      const end = this.p.indexOf('\\E', this.i)
      const literal = end < 0 ? this.p.slice(this.i) : this.p.slice(this.i, end)
      this.i = end < 0 ? this.p.length : end + 2
      return [...literal].map((ch) => (/[A-Za-z0-9]/.test(ch) ? ch : codePointEscape(ch))).join('')
    }
    const simple = SIMPLE_ESCAPES[c]
    if (simple !== undefined) return simple
    if (c === 'x') {
      const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.p.slice(this.i))
      if (braced !== null) {
        this.i += braced[0].length
        return `\\u{${braced[1]}}`
      }
      const two = /^[0-9A-Fa-f]{2}/.exec(this.p.slice(this.i))
      if (two === null) throw new Invalid('invalid escape \\x')
      this.i += 2
      return `\\x${two[0]}`
    }
    if (c === 'p' || c === 'P') return this.unicodeClass(c)
    if (/[0-7]/.test(c)) {
      const m = /^[0-7]{0,2}/.exec(this.p.slice(this.i)) as RegExpExecArray
      const digits = c + m[0]
      if (c !== '0' && digits.length < 3)
        throw new Invalid('backreferences are not supported by RE2')
      this.i += m[0].length
      return codePointEscape(String.fromCodePoint(parseInt(digits, 8)))
    }
    if (/[89]/.test(c)) throw new Invalid('backreferences are not supported by RE2')
    if (/[A-Za-z0-9]/.test(c)) throw new Invalid(`invalid escape sequence \\${c}`)
    return codePointEscape(c)
  }

  private unicodeClass(letter: 'p' | 'P'): string {
    let name: string
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i)
      if (end < 0) throw new Invalid('missing } in \\p{...}')
      name = this.p.slice(this.i + 1, end)
      this.i = end + 1
    } else {
      name = this.p[this.i] ?? ''
      this.i++
    }
    let negate = letter === 'P'
    if (name.startsWith('^')) {
      negate = !negate
      name = name.slice(1)
    }
    if (name === '') throw new Invalid('empty \\p class')
    const property = name.length <= 2 || name === 'Any' ? name : `Script=${name}`
    return `\\${negate ? 'P' : 'p'}{${property === 'Any' ? 'Any' : property}}`
  }
}
