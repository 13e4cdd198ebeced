// A recording as Chrome trace-event JSON for Perfetto: a process track per process, a thread track per thread, CPU %
// counters, state slices, log lines as instants and pool tasks as slices on their worker's thread. Also a CSV of samples.
import type { TraceEvent } from '../compare/export'
import type { Sample, TaskEvent, Tick, Unit, UnitState } from '../model'
import { isFinal } from '../model'
import type { RecordingHeader } from './format'

/** OS scheduler states as procfs letters them. */
const OS_STATES: Record<string, string> = {
  R: 'running (R)',
  S: 'sleeping (S)',
  D: 'disk wait (D)',
  T: 'stopped (T)',
  t: 'traced (t)',
  Z: 'zombie (Z)',
  I: 'idle (I)',
  X: 'dead (X)',
}
/** OS-state lanes get a tid of their own beside the thread's, so their slices never collide with tasks. */
const OS_LANE_OFFSET = 1 << 22

const us = (ms: number): number => Math.round(ms * 1000 * 10) / 10

interface Lane {
  pid: number
  tid: number
}

interface OpenSlice {
  name: string
  since: number
}

/** Builds the trace in one pass over the ticks; slices close when their state changes or the session ends. */
export class TraceBuilder {
  private readonly events: TraceEvent[] = []
  private readonly units = new Map<string, Unit>()
  private readonly named = new Set<string>()
  private readonly labState = new Map<string, OpenSlice>()
  private readonly osState = new Map<string, OpenSlice>()
  private readonly taskStarts = new Map<string, TaskEvent>()
  private lastT: number

  constructor(private readonly header: RecordingHeader) {
    this.lastT = header.labT0
  }

  private ts(t: number): number {
    return us(Math.max(0, t - this.header.labT0))
  }

  /** Threads sit in their process; a process's own lane is its main thread (tid = pid). */
  private lane(u: Unit): Lane {
    return { pid: u.pid, tid: u.kind === 'thread' ? (u.tid ?? u.pid) : u.pid }
  }

  private name(u: Unit): void {
    const { pid, tid } = this.lane(u)
    if (u.kind !== 'thread' && !this.named.has(`p${pid}`)) {
      this.named.add(`p${pid}`)
      const what = u.command && u.command !== u.label ? `${u.label}: ${u.command}` : u.label
      this.events.push({ name: 'process_name', ph: 'M', pid, args: { name: `${what} (pid ${pid})` } })
    }
    if (!this.named.has(`t${pid}/${tid}`)) {
      this.named.add(`t${pid}/${tid}`)
      const label = u.kind === 'thread' ? `${u.label} (tid ${tid})` : `${u.label} (main thread)`
      this.events.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: label } })
    }
  }

  private osLaneName(u: Unit): void {
    const { pid, tid } = this.lane(u)
    const key = `o${pid}/${tid}`
    if (this.named.has(key)) return
    this.named.add(key)
    this.events.push({
      name: 'thread_name',
      ph: 'M',
      pid,
      tid: tid + OS_LANE_OFFSET,
      args: { name: `${u.label}: OS state` },
    })
  }

  private closeSlice(open: Map<string, OpenSlice>, id: string, t: number, cat: string, lane: Lane): void {
    const s = open.get(id)
    if (!s) return
    open.delete(id)
    this.events.push({
      name: s.name,
      cat,
      ph: 'X',
      pid: lane.pid,
      tid: lane.tid,
      ts: this.ts(s.since),
      dur: Math.max(0, us(t - s.since)),
    })
  }

  private setState(id: string, t: number, state: UnitState): void {
    const u = this.units.get(id)
    if (!u) return
    const lane = this.lane(u)
    if (this.labState.get(id)?.name === state) return
    this.closeSlice(this.labState, id, t, 'state', lane)
    if (!isFinal(state)) this.labState.set(id, { name: state, since: t })
  }

  /** Units already there when the session began (from its first keyframe). */
  seed(units: readonly Unit[]): void {
    for (const u of units) {
      this.units.set(u.id, u)
      this.name(u)
      this.setState(u.id, Math.max(u.createdAt, this.header.labT0), u.state)
    }
  }

  addTick(tick: Tick): void {
    this.lastT = tick.t
    for (const u of tick.units) {
      const known = this.units.has(u.id)
      this.units.set(u.id, u)
      this.name(u)
      if (!known) this.setState(u.id, Math.max(u.createdAt, this.header.labT0), u.state)
    }
    for (const ev of tick.events) {
      if (ev.type === 'state') this.setState(ev.unit, ev.t, ev.state)
      else if (ev.type === 'mark')
        this.events.push({ name: ev.text, cat: 'mark', ph: 'i', s: 'g', pid: this.header.labPid, ts: this.ts(ev.t) })
      else if (ev.type === 'run')
        this.events.push({
          name: `run ${ev.run.id} ${ev.run.scenario}: ${ev.run.status}`,
          cat: 'run',
          ph: 'i',
          s: 'g',
          pid: this.header.labPid,
          ts: this.ts(ev.t),
          args: { params: ev.run.params, result: ev.run.result ?? null, error: ev.run.error },
        })
      else if (ev.type === 'task') this.task(ev)
    }
    for (const l of tick.logs) {
      const u = l.unit ? this.units.get(l.unit) : undefined
      const lane = u ? this.lane(u) : { pid: this.header.labPid, tid: this.header.labPid }
      this.events.push({
        name: l.text.length > 80 ? l.text.slice(0, 79) + '…' : l.text,
        cat: `log.${l.stream}`,
        ph: 'i',
        s: u ? 't' : 'p',
        pid: lane.pid,
        tid: lane.tid,
        ts: this.ts(l.t),
        args: { text: l.text, stream: l.stream },
      })
    }
    this.samples(tick)
  }

  private samples(tick: Tick): void {
    const ts = this.ts(tick.t)
    for (const s of tick.samples) {
      const u = this.units.get(s.id)
      if (!u) continue
      const { pid } = this.lane(u)
      if (s.cpu !== null) {
        const counter = u.kind === 'thread' ? `${u.label} (tid ${u.tid ?? '?'}) CPU %` : `${u.label} (pid ${pid}) CPU %`
        this.events.push({ name: counter, ph: 'C', pid, ts, args: { cpu: Math.round(s.cpu * 10) / 10 } })
      }
      const mem = s.rss ?? s.heap
      if (mem !== null && u.kind !== 'thread')
        this.events.push({ name: `${u.label} (pid ${pid}) memory`, ph: 'C', pid, ts, args: { rss: mem } })
      this.osStateOf(u, s, tick.t)
    }
  }

  private osStateOf(u: Unit, s: Sample, t: number): void {
    if (typeof s.os !== 'string' || s.os === '') return
    const name = OS_STATES[s.os] ?? s.os
    if (this.osState.get(u.id)?.name === name) return
    const { pid, tid } = this.lane(u)
    this.osLaneName(u)
    this.closeSlice(this.osState, u.id, t, 'os', { pid, tid: tid + OS_LANE_OFFSET })
    this.osState.set(u.id, { name, since: t })
  }

  private task(ev: TaskEvent): void {
    const key = `${ev.runId}/${ev.pool}/${ev.task}`
    if (ev.phase === 'started') this.taskStarts.set(key, ev)
    if (ev.phase !== 'finished') return
    const start = this.taskStarts.get(key)
    this.taskStarts.delete(key)
    const worker = this.units.get(ev.worker ?? start?.worker ?? '')
    if (!worker || !start) return
    const lane = this.lane(worker)
    this.events.push({
      name: ev.ok === false ? `${ev.name} #${ev.task} (failed)` : `${ev.name} #${ev.task}`,
      cat: 'task',
      ph: 'X',
      pid: lane.pid,
      tid: lane.tid,
      ts: this.ts(start.t),
      dur: Math.max(0, us(ev.t - start.t)),
      ...(ev.cpuMs !== undefined ? { tdur: Math.max(0, us(ev.cpuMs)) } : {}),
      args: { pool: ev.pool, queueMs: ev.queueMs ?? null, cpuMs: ev.cpuMs ?? null, error: ev.error ?? null },
    })
  }

  /** Closes what is still open at the session's end and returns the trace. */
  finish(): { traceEvents: TraceEvent[]; metadata: Record<string, unknown> } {
    for (const id of [...this.labState.keys()])
      this.closeSlice(this.labState, id, this.lastT, 'state', this.lane(this.units.get(id)!))
    for (const id of [...this.osState.keys()]) {
      const l = this.lane(this.units.get(id)!)
      this.closeSlice(this.osState, id, this.lastT, 'os', { pid: l.pid, tid: l.tid + OS_LANE_OFFSET })
    }
    return {
      traceEvents: separateOverlaps(this.events),
      metadata: { ...this.header, source: 'Parallel Lab session', recordedBy: this.header.source },
    }
  }
}

/**
 * Perfetto drops X events that partly overlap on one thread (nesting is fine): a slice that would collide, such as a task
 * that outlives the state it began in, becomes an async begin/end pair instead and keeps its place.
 */
function separateOverlaps(events: TraceEvent[]): TraceEvent[] {
  const byLane = new Map<string, TraceEvent[]>()
  for (const e of events)
    if (e.ph === 'X') byLane.set(`${e.pid}/${e.tid}`, [...(byLane.get(`${e.pid}/${e.tid}`) ?? []), e])
  const moved = new Set<TraceEvent>()
  for (const list of byLane.values()) {
    list.sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!)
    const stack: TraceEvent[] = []
    for (const e of list) {
      while (stack.length > 0 && stack[stack.length - 1].ts! + stack[stack.length - 1].dur! <= e.ts!) stack.pop()
      const top = stack[stack.length - 1]
      if (top && e.ts! + e.dur! > top.ts! + top.dur!) moved.add(e)
      else stack.push(e)
    }
  }
  let n = 0
  return events.flatMap((e) => {
    if (!moved.has(e)) return [e]
    const id = `${e.cat ?? 'slice'}-${n++}`
    const { dur, tdur: _tdur, ...rest } = e
    return [
      { ...rest, ph: 'b', cat: e.cat ?? 'slice', id },
      { name: e.name, ph: 'e', cat: e.cat ?? 'slice', id, pid: e.pid, tid: e.tid, ts: e.ts! + dur! },
    ]
  })
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return ''
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function flatSample(s: Sample): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const walk = (o: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(o)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}.`)
      else out[prefix + k] = v
    }
  }
  const { id: _id, ...rest } = s
  walk(rest, '')
  return out
}

/** One row per unit per tick: time, identity and state, then every sample field the recording holds (a column each). */
export function samplesCsv(header: RecordingHeader, ticks: Iterable<Tick>): string {
  const units = new Map<string, Unit>()
  const rows: { t: number; seq: number; u: Unit; fields: Record<string, unknown> }[] = []
  const columns = new Set<string>()
  for (const tick of ticks) {
    for (const u of tick.units) units.set(u.id, u)
    for (const s of tick.samples) {
      const u = units.get(s.id)
      if (!u) continue
      const fields = flatSample(s)
      for (const k of Object.keys(fields)) columns.add(k)
      rows.push({ t: tick.t - header.labT0, seq: tick.seq, u, fields })
    }
  }
  const extra = [...columns]
  const head = ['t_ms', 'seq', 'unit', 'label', 'kind', 'pid', 'tid', 'state', ...extra]
  const lines = rows.map((r) =>
    [Math.round(r.t), r.seq, r.u.id, r.u.label, r.u.kind, r.u.pid, r.u.tid, r.u.state, ...extra.map((c) => r.fields[c])]
      .map(csvCell)
      .join(','),
  )
  return [head.join(','), ...lines].join('\n') + '\n'
}
