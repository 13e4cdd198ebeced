// The binary sample coding (format version 3) against the JSON one (versions 1 and 2): same samples back, exactly.
import { describe, expect, it } from 'vitest'
import type { Sample } from '../model'
import {
  BinarySampleEncoder,
  ByteReader,
  ByteWriter,
  GroupTables,
  SampleDecoder,
  SampleEncoder,
  putUint,
} from './sample-codec'

let seed = 7
const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]

/** A value of any kind a sample field may hold, numbers of every size and the ones JSON cannot hold. */
function anyValue(): unknown {
  return pick([
    () => null,
    () => Math.round(rand() * 10000) / 100,
    () => rand() * 400 - 200,
    () => Math.floor(rand() * 2 ** 40),
    () => -Math.floor(rand() * 2 ** 45),
    () => 1e12 + rand(),
    () => -3e15,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => Number.MAX_VALUE,
    () => -0,
    () => 0.005,
    () => pick(['R', 'S', 'D', 'Z']),
    () => pick(['thread-clock', 'elu']),
    () => '',
    () => true,
    () => false,
    () => [1, 2.5, 'x', Number.NaN],
    () => ({}),
    () => ({ a: rand() * 10, b: { c: pick(['x', 'y']) } }),
  ])()
}

/** Ticks of samples shaped like the collector's (cpu null at first, nested time split, big rss), units coming and going. */
function makeTicks(n: number): Sample[][] {
  const ticks: Sample[][] = []
  const cpuSeconds = new Map<string, number>()
  for (let t = 0; t < n; t++) {
    const samples: Sample[] = []
    for (let u = 0; u < 40; u++) {
      // Units appear and disappear: each is live for a stretch of ticks only.
      if ((u * 7 + Math.floor(t / 5)) % 9 === 0) continue
      const id = `u${u}`
      const cs = (cpuSeconds.get(id) ?? rand() * 100) + Math.floor(rand() * 50) / 100
      cpuSeconds.set(id, cs)
      const s: Record<string, unknown> = {
        id,
        cpu: t === 0 || rand() < 0.05 ? null : (Math.floor(rand() * 50) * 1000) / (500 + rand() * 6),
        cpuSeconds: Math.round(cs * 100) / 100,
        rss: u % 2 ? 40e6 + Math.floor(rand() * 1e7) * 4096 : null,
        heap: u % 2 ? null : rand() * 1e8,
        os: pick(['R', 'R', 'R', 'S', 'D']),
      }
      if (u % 3 === 0) s.cpuSource = pick(['thread-clock', 'elu'])
      if (u % 4 !== 1) {
        s.time = rand() < 0.1 ? null : { onCpu: rand() * 500, runqueue: rand() * 5, blocked: { lock: rand(), io: 0 } }
      }
      if (u % 5 === 0) s.extra = anyValue()
      if (u % 6 === 0) s.peakRss = t % 3 ? 2 ** 40 + t : undefined
      samples.push(s as unknown as Sample)
    }
    ticks.push(samples)
  }
  return ticks
}

/**
 * What the format promises, computed apart from both codings: every number below 10^12 to the hundredth, the rest as
 * JSON keeps it (non-finite numbers become null, arrays and what they hold stay as they are).
 */
const promised = (ticks: Sample[][]): unknown =>
  JSON.parse(JSON.stringify(ticks), (_k, x: unknown) =>
    typeof x === 'number' && Math.abs(x) < 1e12 ? Math.round(x * 100) / 100 : x,
  )

/** Each tick through the JSON coding, chunks of `perChunk` ticks, decoded as a reader would. */
function viaJson(ticks: Sample[][], perChunk: number): Sample[][] {
  const enc = new SampleEncoder()
  const dec = new SampleDecoder()
  const out: Sample[][] = []
  for (let i = 0; i < ticks.length; i += perChunk) {
    const cols = ticks.slice(i, i + perChunk).map((s) => enc.encode(s))
    const body = JSON.parse(JSON.stringify({ ...enc.takeNew(), cols })) as {
      fields: string[]
      ids: string[]
      raw: string
      cols: Parameters<SampleDecoder['decode']>[0][]
    }
    enc.nextChunk()
    dec.extend(body.fields, body.ids, body.raw)
    for (const c of body.cols) out.push(dec.decode(c))
  }
  return out
}

function viaBinary(ticks: Sample[][], perChunk: number): Sample[][] {
  const tables = new GroupTables()
  const enc = new BinarySampleEncoder(tables)
  const dec = new SampleDecoder()
  const out: Sample[][] = []
  for (let i = 0; i < ticks.length; i += perChunk) {
    const chunk = ticks.slice(i, i + perChunk)
    for (const s of chunk) enc.encode(s)
    const names = JSON.parse(JSON.stringify(enc.takeNew())) as { fields: string[]; ids: string[] }
    enc.nextChunk()
    const { bytes, strs, lits } = tables.takeChunk()
    const copy = Uint8Array.from(bytes)
    dec.extend(names.fields, names.ids)
    dec.tables.extend(strs, JSON.parse(JSON.stringify(lits)) as unknown[])
    const r = new ByteReader(copy)
    for (let k = 0; k < chunk.length; k++) out.push(dec.decodeBinary(r))
    expect(r.done).toBe(true)
  }
  return out
}

describe('binary sample coding', () => {
  it('gives back exactly what the JSON coding gives back, for every kind of field value', () => {
    const ticks = makeTicks(120)
    const json = viaJson(ticks, 2)
    const binary = viaBinary(ticks, 2)
    expect(binary).toEqual(json)
    expect(binary).toEqual(promised(ticks))
    // Not vacuous: nested fields, strings, nulls, huge and non-finite numbers went through.
    const all = binary.flat() as unknown as Record<string, unknown>[]
    expect(all.some((s) => (s.time as { blocked?: { lock?: number } } | null)?.blocked?.lock !== undefined)).toBe(true)
    expect(all.some((s) => s.cpu === null)).toBe(true)
    expect(all.some((s) => s.cpuSource === 'elu')).toBe(true)
    expect(all.some((s) => typeof s.rss === 'number' && s.rss > 2 ** 32)).toBe(true)
    expect(all.some((s) => s.extra === null)).toBe(true)
    expect(all.some((s) => s.extra === -3e15)).toBe(true)
    expect(all.some((s) => Array.isArray(s.extra))).toBe(true)
    // Numbers come back to the hundredth, and the keys in the order they had.
    const first = ticks[1][0] as unknown as Record<string, number>
    const back = binary[1][0] as unknown as Record<string, number>
    expect(back.cpuSeconds).toBe(Math.round(first.cpuSeconds * 100) / 100)
    expect(Object.keys(back)).toEqual(Object.keys(json[1][0]))
  })

  it('stores a sample handed on as the very same object exactly as a fresh copy of it, to the byte', () => {
    // The lab hands an unchanged unit's sample on as the same object; the encoder skips walking it. Half the units
    // here keep last tick's object (strings, nulls, literals and nested splits among them), the rest change.
    const fresh = makeTicks(90)
    const reused: Sample[][] = []
    for (let t = 0; t < fresh.length; t++) {
      const before = new Map((reused[t - 1] ?? []).map((s) => [s.id, s]))
      reused.push(fresh[t].map((s) => (t % 7 !== 0 && rand() < 0.5 ? (before.get(s.id) ?? s) : s)))
    }
    const sameObjects = reused.slice(1).reduce((n, tick, i) => n + tick.filter((s) => reused[i].includes(s)).length, 0)
    expect(sameObjects).toBeGreaterThan(500)
    const bytesOf = (ticks: Sample[][]): number[] => {
      const tables = new GroupTables()
      const enc = new BinarySampleEncoder(tables)
      const out: number[] = []
      for (let i = 0; i < ticks.length; i++) {
        enc.encode(ticks[i])
        if (i % 4 === 3) {
          enc.nextChunk()
          out.push(...tables.takeChunk().bytes)
        }
      }
      return out
    }
    // Copies have no identity in common with the ticks before them: every row is walked.
    const copies = reused.map((tick) => tick.map((s) => structuredClone(s)))
    expect(bytesOf(reused)).toEqual(bytesOf(copies))
    expect(viaBinary(reused, 4)).toEqual(promised(reused))
  })

  it('keeps one chunk per keyframe group or many, and units that come back after a gap', () => {
    const ticks = makeTicks(60)
    expect(viaBinary(ticks, 60)).toEqual(viaJson(ticks, 60))
    expect(viaBinary(ticks, 1)).toEqual(viaJson(ticks, 1))
  })

  it('names nested fields right when rows change shape from one to the next', () => {
    const shapes = [
      { id: 'a', x: { p: 1 } },
      { id: 'b', y: { p: 2 } },
      { id: 'a', y: { p: 3, q: { r: 'S' } } },
      { id: 'c', x: null, y: { p: 4 } },
      { id: 'b', x: { q: { r: 'R' } }, y: 5 },
    ]
    const ticks = Array.from({ length: 12 }, (_, t) =>
      shapes.slice(t % 3).map((row) => ({ ...row, n: t }) as unknown as Sample),
    )
    expect(viaBinary(ticks, 3)).toEqual(promised(ticks))
    expect(viaJson(ticks, 3)).toEqual(promised(ticks))
  })

  it("keeps a tick's own fields: nested objects, arrays of a few numbers element by element, other arrays as JSON", () => {
    const tables = new GroupTables()
    const enc = new BinarySampleEncoder(tables, true)
    const rests = Array.from({ length: 6 }, (_, i) => ({
      seq: i,
      units: i === 2 ? [{ id: 'u1', label: 'x' }] : [],
      machine: { cores: i === 4 ? [] : [12.345 + i, 50, i], memTotal: 8e9, memUsed: 4e9 + i * 4096 },
      sampler: { intervalMs: 500, costMs: 1.2 + i / 10, labCpuMs: i % 2 ? null : 0.5, collector: 'procfs' },
      many: Array.from({ length: 20 }, (_, k) => k + i),
      mixed: [1, 'two'],
    }))
    for (const r of rests) enc.encodeTick(r)
    const names = enc.takeNew()
    expect(names.ids).toEqual([])
    expect(names.fields).toContain('machine.cores.[2]')
    const { bytes, strs, lits } = tables.takeChunk()
    const dec = new SampleDecoder(undefined, true)
    dec.extend(names.fields, names.ids)
    dec.tables.extend(strs, JSON.parse(JSON.stringify(lits)) as unknown[])
    const r = new ByteReader(Uint8Array.from(bytes))
    const back = rests.map(() => dec.decodeTick(r))
    expect(r.done).toBe(true)
    const hundredths = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v), (_k, x: unknown) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x))
    expect(back).toEqual(hundredths(rests))
    expect(Array.isArray(back[0].units) && back[0].units !== back[1].units).toBe(true)
    expect((back[4].machine as { cores: number[] }).cores).toEqual([])
  })

  it('refuses damaged blocks with an error instead of inventing samples', () => {
    const tables = new GroupTables()
    const enc = new BinarySampleEncoder(tables)
    enc.encode(makeTicks(1)[0])
    const names = enc.takeNew()
    const { bytes, strs, lits } = tables.takeChunk()
    const decode = (b: Uint8Array): Sample[] => {
      const dec = new SampleDecoder()
      dec.extend(names.fields, names.ids)
      dec.tables.extend(strs, lits)
      return dec.decodeBinary(new ByteReader(b))
    }
    expect(decode(Uint8Array.from(bytes)).length).toBeGreaterThan(0)
    expect(() => decode(bytes.slice(0, bytes.length >> 1))).toThrow(/cut off/)
    const badUnit = Uint8Array.from(bytes)
    badUnit[2] = 0x7f // the first unit index, far beyond the 40 units the group knows
    expect(() => decode(badUnit)).toThrow(/malformed/)
  })

  it('writes varints of every size up to 2^53 and reads them back', () => {
    const w = new ByteWriter()
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 49, 2 ** 53 - 1]
    w.ensure(values.length * 8)
    for (const v of values) w.length = putUint(w.buf, w.length, v)
    const r = new ByteReader(w.buf, 0, w.length)
    expect(values.map(() => r.uint())).toEqual(values)
    expect(r.done).toBe(true)
  })
})
