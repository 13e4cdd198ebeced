// A session's totals for comparing two: from a recording's records, or from what a window has seen of the live run.
import type { Tick, Unit } from '../model'
import { isFinal } from '../model'
import type { SessionStateData, SessionTotals, StartedItem } from './format'

/** The records totals read: keyframes (units), what was started, ticks. */
export type TotalsRecord =
  | { k: 'key'; state: Pick<SessionStateData, 'units'> }
  | { k: 'started'; item: StartedItem }
  | { k: 'tick'; tick: Tick }
  | { k: string }

/**
 * Wall time, CPU time and peak memory of what the session started (the lab itself left out), with CPU % over time
 * from the session's start: the first thing started, else the first tick with a unit of a run in it. One pass.
 */
export function totalsOf(name: string, records: Iterable<TotalsRecord>, what = ''): SessionTotals {
  const units = new Map<string, Pick<Unit, 'label' | 'kind' | 'parent' | 'runId'>>()
  const series = new Map<string, [number, number][]>()
  const cpuSeconds = new Map<string, number>()
  let peakCpu = 0
  let peakRss = 0
  let first: number | null = null
  let last: number | null = null
  let named = ''
  for (const rec of records) {
    if (rec.k === 'key' && 'state' in rec) for (const u of rec.state.units) units.set(u.id, u)
    if (rec.k === 'started' && 'item' in rec) {
      first ??= rec.item.t
      named = named ? `${named}, ${rec.item.what}` : rec.item.what
    }
    if (rec.k !== 'tick' || !('tick' in rec)) continue
    const tick = rec.tick
    for (const u of tick.units) units.set(u.id, u)
    const anyLive = tick.samples.some((s) => units.get(s.id)?.runId != null)
    if (anyLive) first ??= tick.t
    let total = 0
    let rss = 0
    const t0 = first ?? tick.t
    for (const s of tick.samples) {
      const u = units.get(s.id)
      if (!u || u.runId === null) continue
      if (s.cpu !== null) (series.get(s.id) ?? series.set(s.id, []).get(s.id)!).push([tick.t - t0, s.cpu])
      if (u.kind === 'thread') continue
      if (s.cpu !== null) total += s.cpu
      if (s.cpuSeconds !== null) cpuSeconds.set(s.id, Math.max(cpuSeconds.get(s.id) ?? 0, s.cpuSeconds))
      rss += s.rss ?? 0
    }
    peakCpu = Math.max(peakCpu, total)
    peakRss = Math.max(peakRss, rss)
    if (anyLive || tick.units.some((u) => u.runId !== null && isFinal(u.state))) last = tick.t
  }
  return {
    name,
    what: what || named,
    wallMs: first === null || last === null ? 0 : Math.max(0, last - first),
    cpuSeconds: [...cpuSeconds.values()].reduce((a, b) => a + b, 0),
    peakCpu,
    peakRss,
    series: [...series].map(([id, points]) => {
      const u = units.get(id)!
      return { id, label: u.label, kind: u.kind, points }
    }),
  }
}
