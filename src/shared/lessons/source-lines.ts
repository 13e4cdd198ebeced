// Which line of a scenario's source printed a log line: Python reports it with the line; for TypeScript the log call
// whose template the text matches (`${name} ${mode}: ${k}` matches "khanh thread: 5") is the one.

export interface LogSite {
  /** 1-based line of the log call. */
  line: number
  pattern: RegExp
  /** Characters of fixed text in the template: the more, the more specific the match. */
  literal: number
}

const LOG_CALL = /\b(?:w\.log|ctx\.log|console\.log|lab\.say)\(/
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A template literal's body ("${a}: ${b}") or a quoted string as a pattern over whole lines. */
function templatePattern(body: string, template: boolean): { pattern: RegExp; literal: number } {
  const parts = template ? body.split(/\$\{[^}]*\}/) : [body]
  return { pattern: new RegExp(`^${parts.map(escape).join('(.+?)')}$`), literal: parts.join('').length }
}

/** The string argument starting at `rest` (a template, a quoted string, or a name defined a few lines up). */
function argumentPattern(
  rest: string,
  lines: readonly string[],
  at: number,
): { pattern: RegExp; literal: number } | null {
  const quote = rest[0]
  if (quote === '`' || quote === "'" || quote === '"') {
    const end = rest.indexOf(quote, 1)
    return end > 0 ? templatePattern(rest.slice(1, end), quote === '`') : null
  }
  const name = /^([A-Za-z_$][\w$]*)\)/.exec(rest)?.[1]
  if (!name) return null
  for (let i = at; i >= Math.max(0, at - 12); i--) {
    const def = new RegExp(`\\b(?:const|let)\\s+${escape(name)}\\s*=\\s*([\`'"])(.*)\\1`).exec(lines[i])
    if (def) return templatePattern(def[2], def[1] === '`')
  }
  return null
}

/** Every log call of a TypeScript source whose text can be told from its code. */
export function logSites(source: string): LogSite[] {
  const lines = source.split('\n')
  const sites: LogSite[] = []
  lines.forEach((text, i) => {
    const m = LOG_CALL.exec(text)
    if (!m) return
    const found = argumentPattern(text.slice(m.index + m[0].length), lines, i)
    if (found) sites.push({ line: i + 1, ...found })
  })
  return sites
}

/** The line of the most specific log call that prints `text`, or null. */
export function sourceLineOf(sites: readonly LogSite[], text: string): number | null {
  let best: LogSite | null = null
  for (const s of sites) if (s.pattern.test(text) && (!best || s.literal > best.literal)) best = s
  return best?.line ?? null
}
