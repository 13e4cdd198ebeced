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

/** Nested plain objects become dotted keys ("time.onCpu"), so their numbers are delta-coded like the rest. */
function flatten(obj: Plain, prefix: string, out: [string, unknown][]): void {
  for (const key of Object.keys(obj)) {
    const v = obj[key]
    if (v === undefined) continue
    const name = prefix + key
    if (isPlain(v) && Object.keys(v).length > 0) flatten(v, name + '.', out)
    else out.push([name, v])
  }
}

function unflatten(pairs: [string, unknown][]): Plain {
  const out: Plain = Object.create(null) as Plain
  for (const [name, v] of pairs) {
    const parts = name.split('.')
    let at = out
    for (let i = 0; i < parts.length - 1; i++) {
      const next = at[parts[i]]
      at = isPlain(next) ? next : (at[parts[i]] = Object.create(null) as Plain)
    }
    at[parts[parts.length - 1]] = v
  }
  return toOrdinary(out)
}

/** Objects made without a prototype (so no key can reach Object.prototype) turned back into ordinary ones. */
function toOrdinary(o: Plain): Plain {
  const out: Plain = {}
  for (const key of Object.keys(o)) {
    const v = o[key]
    Object.defineProperty(out, key, {
      value: isPlain(v) ? toOrdinary(v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
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
    this.raw = this.fields.map((_, f) => (this.sumRaw[f] ?? 0) < (this.sumDelta[f] ?? 0))
    this.sumDelta = []
    this.sumRaw = []
  }

  /** A tick's samples, column by column (unit indexes, presence masks, then each field's values): compresses best. */
  encode(samples: readonly Sample[]): EncodedTickSamples {
    const u: number[] = []
    const m: number[] = []
    const c: unknown[][] = []
    for (const s of samples) {
      const row = this.encodeOne(s)
      u.push(row[0] as number)
      m.push(row[1] as number)
      let mask = row[1] as number
      let at = 2
      for (let f = 0; mask > 0; f++) {
        const bit = 2 ** f
        if (mask % (bit * 2) < bit) continue
        mask -= bit
        ;(c[f] ??= []).push(row[at++])
      }
    }
    for (let f = 0; f < c.length; f++) c[f] ??= []
    return { u, m, c }
  }

  private encodeOne(sample: Sample): unknown[] {
    let u = this.idIndex.get(sample.id)
    if (u === undefined) {
      u = this.ids.length
      this.ids.push(sample.id)
      this.idIndex.set(sample.id, u)
      this.prev.push([])
    }
    const pairs: [string, unknown][] = []
    const { id: _id, ...rest } = sample
    flatten(rest, '', pairs)
    const present: [number, unknown][] = []
    for (const [name, v] of pairs) {
      let f = this.fieldIndex.get(name)
      if (f === undefined) {
        if (this.fields.length >= MAX_FIELDS)
          throw new Error(`A sample has more than ${MAX_FIELDS} fields; the recording cannot hold it.`)
        f = this.fields.length
        this.fields.push(name)
        this.fieldIndex.set(name, f)
      }
      present.push([f, v])
    }
    present.sort((a, b) => a[0] - b[0])
    let mask = 0
    const row: unknown[] = [u, 0]
    const prev = this.prev[u]
    for (const [f, v] of present) {
      mask += 2 ** f
      if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < DELTA_LIMIT) {
        const scaled = Math.round(v * SCALE)
        const delta = scaled - (prev[f] ?? 0)
        this.sumDelta[f] = (this.sumDelta[f] ?? 0) + Math.abs(delta)
        this.sumRaw[f] = (this.sumRaw[f] ?? 0) + Math.abs(scaled)
        row.push(this.raw[f] ? scaled : delta)
        prev[f] = scaled
      } else if (typeof v === 'number' || Array.isArray(v) || isPlain(v)) {
        // Wrapped so a literal is never mistaken for a delta.
        row.push({ v })
      } else {
        row.push(v)
      }
    }
    row[1] = mask
    return row
  }
}

/** Decodes the rows of a keyframe group in order (the deltas chain across its ticks and chunks). */
export class SampleDecoder {
  private readonly fields: string[] = []
  private readonly ids: string[] = []
  private readonly prev: number[][] = []
  private raw: boolean[] = []

  /** Adds the names a chunk brings, and its fields' codings, before its rows are decoded. */
  extend(fields: readonly string[], ids: readonly string[], raw = ''): void {
    this.raw = [...raw].map((c) => c === '1')
    this.fields.push(...fields)
    for (const id of ids) {
      this.ids.push(id)
      this.prev.push([])
    }
  }

  decode(cols: EncodedTickSamples): Sample[] {
    if (!Array.isArray(cols?.u) || !Array.isArray(cols.m) || !Array.isArray(cols.c))
      throw new Error("a tick's samples are malformed")
    const next = cols.c.map(() => 0)
    return cols.u.map((u, i) => {
      const row: unknown[] = [u, cols.m[i]]
      let mask = cols.m[i]
      for (let f = 0; mask > 0; f++) {
        const bit = 2 ** f
        if (mask % (bit * 2) < bit) continue
        mask -= bit
        row.push(cols.c[f]?.[next[f]++])
      }
      return this.decodeOne(row)
    })
  }

  private decodeOne(row: readonly unknown[]): Sample {
    const [u, maskRaw] = row
    if (typeof u !== 'number' || u < 0 || u >= this.ids.length || typeof maskRaw !== 'number')
      throw new Error('a sample row is malformed')
    const prev = this.prev[u]
    const pairs: [string, unknown][] = []
    let mask = maskRaw
    let at = 2
    for (let f = 0; f < this.fields.length && mask > 0; f++) {
      const bit = 2 ** f
      if (mask % (bit * 2) < bit) continue
      mask -= bit
      const v = row[at++]
      if (typeof v === 'number') {
        const scaled = this.raw[f] ? v : (prev[f] ?? 0) + v
        prev[f] = scaled
        pairs.push([this.fields[f], scaled / SCALE])
      } else if (isPlain(v) && 'v' in v) {
        pairs.push([this.fields[f], v.v])
      } else {
        pairs.push([this.fields[f], v])
      }
    }
    return { id: this.ids[u], ...unflatten(pairs) } as Sample
  }
}
