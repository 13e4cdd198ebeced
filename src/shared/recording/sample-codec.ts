// Columnar delta coding of a chunk's samples: generic over whatever fields the lab puts in a Sample.
import type { Sample } from '../model'

/** Numbers are kept to hundredths (CPU % to 0.01, CPU seconds to the 10 ms the OS counts in, bytes exactly). */
const SCALE = 100
/** Beyond this a scaled number would lose integer precision: it is stored literally instead. */
const DELTA_LIMIT = 1e12
/** A presence mask is a sum of powers of two: exact up to 2^52. */
export const MAX_FIELDS = 52

type Plain = Record<string, unknown>

/** One tick's samples as stored: unit index and presence mask per sample, and per field the values of those that have it. */
export interface EncodedTickSamples {
  u: number[]
  m: number[]
  c: unknown[][]
}
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v)

/** 2^f for every field index a mask can hold. */
const BIT = Array.from({ length: MAX_FIELDS }, (_, f) => 2 ** f)

/**
 * Sets a dotted field ("time.onCpu") on a sample being rebuilt. Names come from the file: a part named "__proto__" is
 * defined as an own property, never assigned, so nothing in a recording can reach Object.prototype.
 */
function setPath(out: Plain, parts: readonly string[], v: unknown): void {
  let at = out
  for (let i = 0; i < parts.length - 1; i++) {
    const next = Object.hasOwn(at, parts[i]) ? at[parts[i]] : undefined
    if (isPlain(next)) at = next
    else {
      const fresh: Plain = {}
      define(at, parts[i], fresh)
      at = fresh
    }
  }
  define(at, parts[parts.length - 1], v)
}

function define(o: Plain, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
  else o[key] = value
}

/**
 * Encodes the samples of one keyframe group (a keyframe chunk and the chunks up to the next): the deltas and the
 * field/unit dictionaries carry across its chunks, so a group decodes from its keyframe without anything before it.
 */
export class SampleEncoder {
  readonly fields: string[] = []
  readonly ids: string[] = []
  private fieldsSent = 0
  private idsSent = 0
  /**
   * Per field: true = values are stored as they are (a noisy level such as CPU %), false = as deltas (a counter such
   * as CPU seconds, or a level that rarely moves such as memory). Chosen per chunk from the last chunk's sizes.
   */
  private raw: boolean[] = []
  private sumDelta: number[] = []
  private sumRaw: number[] = []
  private readonly fieldIndex = new Map<string, number>()
  private readonly idIndex = new Map<string, number>()
  /** Previous scaled value per unit index, per field index. */
  private readonly prev: number[][] = []

  /** Dictionary entries added since the last call: each chunk carries only the names new in it. */
  takeNew(): { fields: string[]; ids: string[]; raw: string } {
    const out = {
      fields: this.fields.slice(this.fieldsSent),
      ids: this.ids.slice(this.idsSent),
      raw: this.raw.map((r) => (r ? '1' : '0')).join(''),
    }
    this.fieldsSent = this.fields.length
    this.idsSent = this.ids.length
    return out
  }

  /** Picks each field's coding for the next chunk: whichever made the smaller numbers in this one. */
  nextChunk(): void {
    this.raw = this.fields.map((_, f) => this.sumRaw[f] < this.sumDelta[f])
    // Dense arrays of numbers (no holes): the per-sample sums stay on V8's fast path.
    this.sumDelta = this.fields.map(() => 0)
    this.sumRaw = this.fields.map(() => 0)
  }

  /**
   * A tick's samples, column by column (unit indexes, presence masks, then each field's values): compresses best.
   * Fields go straight to their columns (nested plain objects as dotted names, so their numbers are delta-coded too).
   */
  encode(samples: readonly Sample[]): EncodedTickSamples {
    const u: number[] = []
    const m: number[] = []
    const c: unknown[][] = []
    for (const s of samples) {
      let ui = this.idIndex.get(s.id)
      if (ui === undefined) {
        ui = this.ids.length
        this.ids.push(s.id)
        this.idIndex.set(s.id, ui)
        this.prev.push([])
      }
      u.push(ui)
      m.push(this.encodeObject(s as unknown as Plain, '', this.prev[ui], c))
    }
    for (let f = 0; f < c.length; f++) c[f] ??= []
    return { u, m, c }
  }

  /** Puts one sample's fields (or a nested object's) into their columns; returns their presence bits. */
  private encodeObject(obj: Plain, prefix: string, prev: number[], c: unknown[][]): number {
    let mask = 0
    for (const key of Object.keys(obj)) {
      if (prefix === '' && key === 'id') continue
      const v = obj[key]
      if (v === undefined) continue
      const name = prefix === '' ? key : prefix + key
      if (isPlain(v) && Object.keys(v).length > 0) {
        mask += this.encodeObject(v, name + '.', prev, c)
        continue
      }
      const f = this.field(name)
      mask += BIT[f]
      const col = (c[f] ??= [])
      if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < DELTA_LIMIT) {
        const scaled = Math.round(v * SCALE)
        const delta = scaled - (prev[f] ?? 0)
        this.sumDelta[f] += Math.abs(delta)
        this.sumRaw[f] += Math.abs(scaled)
        col.push(this.raw[f] ? scaled : delta)
        prev[f] = scaled
      } else if (typeof v === 'number' || Array.isArray(v) || isPlain(v)) {
        // Wrapped so a literal is never mistaken for a delta.
        col.push({ v })
      } else {
        col.push(v)
      }
    }
    return mask
  }

  private field(name: string): number {
    let f = this.fieldIndex.get(name)
    if (f === undefined) {
      if (this.fields.length >= MAX_FIELDS)
        throw new Error(`A sample has more than ${MAX_FIELDS} fields; the recording cannot hold it.`)
      f = this.fields.length
      this.fields.push(name)
      this.fieldIndex.set(name, f)
      this.raw.push(false)
      this.sumDelta.push(0)
      this.sumRaw.push(0)
    }
    return f
  }
}

/** Decodes the rows of a keyframe group in order (the deltas chain across its ticks and chunks). */
export class SampleDecoder {
  private readonly fields: string[] = []
  /** Each field's name split at its dots, or null for a plain name (the usual case, set directly). */
  private readonly paths: (string[] | null)[] = []
  private readonly ids: string[] = []
  private readonly prev: number[][] = []
  private raw: boolean[] = []

  /** Adds the names a chunk brings, and its fields' codings, before its rows are decoded. */
  extend(fields: readonly string[], ids: readonly string[], raw = ''): void {
    this.raw = [...raw].map((c) => c === '1')
    for (const name of fields) {
      if (typeof name !== 'string') throw new Error('a field name is malformed')
      this.fields.push(name)
      this.paths.push(name.includes('.') || name === '__proto__' ? name.split('.') : null)
    }
    for (const id of ids) {
      this.ids.push(id)
      this.prev.push([])
    }
  }

  decode(cols: EncodedTickSamples): Sample[] {
    if (!Array.isArray(cols?.u) || !Array.isArray(cols.m) || !Array.isArray(cols.c))
      throw new Error("a tick's samples are malformed")
    const next = cols.c.map(() => 0)
    const out: Sample[] = []
    for (let i = 0; i < cols.u.length; i++) {
      const u = cols.u[i]
      let mask = cols.m[i]
      if (typeof u !== 'number' || u < 0 || u >= this.ids.length || typeof mask !== 'number')
        throw new Error('a sample row is malformed')
      const prev = this.prev[u]
      const sample: Plain = { id: this.ids[u] }
      for (let f = 0; f < this.fields.length && mask > 0; f++) {
        const bit = BIT[f]
        if (mask % (bit * 2) < bit) continue
        mask -= bit
        const v = cols.c[f]?.[next[f]++]
        let value: unknown
        if (typeof v === 'number') {
          const scaled = this.raw[f] ? v : (prev[f] ?? 0) + v
          prev[f] = scaled
          value = scaled / SCALE
        } else if (isPlain(v) && 'v' in v) value = v.v
        else value = v
        const path = this.paths[f]
        if (path) setPath(sample, path, value)
        else sample[this.fields[f]] = value
      }
      out.push(sample as unknown as Sample)
    }
    return out
  }
}
