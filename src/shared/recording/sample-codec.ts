// Columnar delta coding of a chunk's samples: generic over whatever fields the lab puts in a Sample.
import type { Sample } from '../model'

/** Numbers are kept to this many thousandths (CPU % to 0.001, bytes exactly). */
const SCALE = 1000
/** Beyond this a scaled number would lose integer precision: it is stored literally instead. */
const DELTA_LIMIT = 1e12
/** A presence mask is a sum of powers of two: exact up to 2^52. */
export const MAX_FIELDS = 52

type Plain = Record<string, unknown>
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
    Object.defineProperty(out, key, { value: isPlain(v) ? toOrdinary(v) : v, enumerable: true, writable: true, configurable: true })
  }
  return out
}

/** Encodes the samples of one chunk; one encoder per chunk so every chunk decodes without the ones before it. */
export class SampleEncoder {
  readonly fields: string[] = []
  readonly ids: string[] = []
  private readonly fieldIndex = new Map<string, number>()
  private readonly idIndex = new Map<string, number>()
  /** Previous scaled value per unit index, per field index. */
  private readonly prev: number[][] = []

  encode(samples: readonly Sample[]): unknown[][] {
    return samples.map((s) => this.encodeOne(s))
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
        if (this.fields.length >= MAX_FIELDS) throw new Error(`A sample has more than ${MAX_FIELDS} fields; the recording cannot hold it.`)
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
        row.push(scaled - (prev[f] ?? 0))
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

/** Decodes the rows of a chunk in order (the deltas chain across its ticks). */
export class SampleDecoder {
  private readonly prev: number[][]

  constructor(
    private readonly fields: readonly string[],
    private readonly ids: readonly string[],
  ) {
    this.prev = ids.map(() => [])
  }

  decode(rows: readonly unknown[][]): Sample[] {
    return rows.map((row) => this.decodeOne(row))
  }

  private decodeOne(row: readonly unknown[]): Sample {
    const [u, maskRaw] = row
    if (typeof u !== 'number' || u < 0 || u >= this.ids.length || typeof maskRaw !== 'number') throw new Error('a sample row is malformed')
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
        const scaled = (prev[f] ?? 0) + v
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
