// A schema check for the Chrome trace-event JSON we export, holding it to what Perfetto needs to open it faithfully.
// Returns every problem found as a sentence (empty when the trace is sound).

const PHASES = new Set(['X', 'B', 'E', 'b', 'e', 'n', 'i', 'I', 'C', 'M', 's', 't', 'f'])
const METADATA = new Set(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index', 'process_labels'])

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isInt = (v: unknown): v is number => Number.isInteger(v)
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function checkTrace(doc: unknown): string[] {
  const errors: string[] = []
  if (!isObj(doc)) return ['The trace must be a JSON object.']
  if (!Array.isArray(doc.traceEvents)) return ['The trace must have a "traceEvents" array.']
  // Perfetto reads displayTimeUnit as the unit of ts: microseconds are the default only without it.
  if ('displayTimeUnit' in doc) errors.push('displayTimeUnit must be left out (ts and dur are microseconds).')
  const spans = new Map<string, { ts: number; end: number; i: number }[]>()
  const open = new Map<string, number>()
  // Perfetto shows a bare number for a process or thread nobody named: every lane used must be named.
  const namedProcesses = new Set<number>()
  const namedThreads = new Set<string>()
  const usedProcesses = new Map<number, number>()
  const usedThreads = new Map<string, number>()
  doc.traceEvents.forEach((e: unknown, i: number) => {
    const at = `event ${i}`
    if (!isObj(e)) return void errors.push(`${at} is not an object.`)
    if (typeof e.name !== 'string' || e.name === '') errors.push(`${at} has no name.`)
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph))
      return void errors.push(`${at} has an unknown phase ${JSON.stringify(e.ph)}.`)
    if (!isInt(e.pid)) errors.push(`${at} (${e.ph}) has no integer pid.`)
    if (e.tid !== undefined && !isInt(e.tid)) errors.push(`${at} has a tid that is not an integer.`)
    if (e.ph === 'M') {
      if (!METADATA.has(e.name as string)) errors.push(`${at}: unknown metadata "${String(e.name)}".`)
      if (!isObj(e.args)) errors.push(`${at}: metadata needs args.`)
      else if (e.name === 'process_name' || e.name === 'thread_name') {
        if (typeof e.args.name !== 'string') errors.push(`${at}: ${String(e.name)} needs args.name.`)
      }
      if (e.name === 'thread_name' && !isInt(e.tid)) errors.push(`${at}: thread_name needs a tid.`)
      if (e.name === 'process_name' && isInt(e.pid)) namedProcesses.add(e.pid)
      if (e.name === 'thread_name' && isInt(e.pid) && isInt(e.tid)) namedThreads.add(`${e.pid}/${e.tid}`)
      return
    }
    if (isInt(e.pid) && !usedProcesses.has(e.pid)) usedProcesses.set(e.pid, i)
    const threadScoped =
      e.ph === 'X' ||
      e.ph === 'B' ||
      e.ph === 'E' ||
      ((e.ph === 'i' || e.ph === 'I') && (e.s === undefined || e.s === 't'))
    if (threadScoped && isInt(e.pid) && isInt(e.tid) && !usedThreads.has(`${e.pid}/${e.tid}`))
      usedThreads.set(`${e.pid}/${e.tid}`, i)
    if (!isNum(e.ts) || e.ts < 0) errors.push(`${at} (${e.ph}) needs ts in microseconds (a number >= 0).`)
    if (e.ph === 'X') {
      if (!isInt(e.tid)) errors.push(`${at}: an X event needs a tid.`)
      if (!isNum(e.dur) || e.dur < 0) errors.push(`${at}: an X event needs dur >= 0.`)
      if (e.tdur !== undefined && (!isNum(e.tdur) || e.tdur < 0)) errors.push(`${at}: tdur must be a number >= 0.`)
      if (e.tts !== undefined && (!isNum(e.tts) || e.tts < 0)) errors.push(`${at}: tts must be a number >= 0.`)
      if (isNum(e.ts) && isNum(e.dur)) {
        const key = `${String(e.pid)}/${String(e.tid)}`
        spans.set(key, [...(spans.get(key) ?? []), { ts: e.ts, end: e.ts + e.dur, i }])
      }
    }
    if (e.ph === 'C') {
      if (!isObj(e.args) || Object.keys(e.args).length === 0 || !Object.values(e.args).every(isNum))
        errors.push(`${at}: a counter needs args of numbers.`)
    }
    if (e.ph === 'b' || e.ph === 'e') {
      if (typeof e.cat !== 'string' || (typeof e.id !== 'string' && !isNum(e.id)))
        return void errors.push(`${at}: async ${e.ph} needs cat and id.`)
      const key = `${e.cat}/${String(e.id)}`
      if (e.ph === 'b') open.set(key, (open.get(key) ?? 0) + 1)
      else if ((open.get(key) ?? 0) === 0) errors.push(`${at}: async end ${key} without a begin.`)
      else open.set(key, open.get(key)! - 1)
    }
    if ((e.ph === 'i' || e.ph === 'I') && e.s !== undefined && !['t', 'p', 'g'].includes(e.s as string))
      errors.push(`${at}: instant scope must be t, p or g.`)
  })
  for (const [key, n] of open) if (n > 0) errors.push(`async ${key} begins without an end.`)
  for (const [pid, i] of usedProcesses)
    if (!namedProcesses.has(pid)) errors.push(`event ${i}: process ${pid} has no process_name.`)
  for (const [lane, i] of usedThreads)
    if (!namedThreads.has(lane)) errors.push(`event ${i}: thread ${lane} has no thread_name.`)
  // Perfetto drops X events that partly overlap on one thread; nesting is fine.
  for (const [thread, list] of spans) {
    const sorted = list.sort((a, b) => a.ts - b.ts || b.end - a.end)
    const stack: { end: number; i: number }[] = []
    for (const s of sorted) {
      while (stack.length > 0 && stack[stack.length - 1].end <= s.ts) stack.pop()
      const top = stack[stack.length - 1]
      if (top && s.end > top.end) errors.push(`X events ${top.i} and ${s.i} on thread ${thread} partly overlap.`)
      stack.push(s)
    }
  }
  return errors
}
