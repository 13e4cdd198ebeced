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
const hasKeys = (o: Plain): boolean => {
  for (const _ in o) return true
  return false
}

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
 * What an encoder keeps for one keyframe group (a keyframe chunk and the chunks up to the next): the field and unit
 * dictionaries, each field's coding and the previous values carry across its chunks, so a group decodes from its
 * keyframe without anything before it. The two encoders differ only in where a value goes (`put`).
 */
abstract class GroupEncoder {
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
  protected readonly prev: number[][] = []
  /** Per place in a tick's sample list, and per place of a key in a sample: what was there last time. */
  private readonly slotId: string[] = []
  private readonly slotUnit: number[] = []
  private readonly slotKey: string[] = []
  private readonly slotField: number[] = []

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

  /** Stores one field value of a sample (unit `prev` holds that unit's previous scaled values). */
  protected abstract put(f: number, v: unknown, prev: number[]): void

  /** The unit index of the i-th sample of a tick (new ids join the dictionary). */
  protected unit(id: string, i: number): number {
    // Ticks list their units in the same order: the sample in the same place usually is the same unit as last time.
    if (this.slotId[i] === id) return this.slotUnit[i]
    let ui = this.idIndex.get(id)
    if (ui === undefined) {
      ui = this.ids.length
      this.ids.push(id)
      this.idIndex.set(id, ui)
      this.prev.push([])
    }
    this.slotId[i] = id
    this.slotUnit[i] = ui
    return ui
  }

  /**
   * Puts one sample's fields (or a nested object's) into their columns; returns their presence bits. Fields go straight
   * to their columns (nested plain objects as dotted names, so their numbers are delta-coded too). Every tick calls this
   * for every sample: the field of a top-level key comes from what that key's place held last time (samples share their
   * shape), not from the name dictionary; for-in (the keys' enumeration cache, no array allocated) rather than
   * Object.keys, which differ only for enumerable inherited properties, which the lab's plain objects do not have.
   */
  protected encodeObject(obj: Plain, prefix: string, prev: number[]): number {
    let mask = 0
    let pos = 0
    const top = prefix === ''
    for (const key in obj) {
      const p = pos++
      const v = obj[key]
      if (v === undefined || (top && key === 'id')) continue
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && hasKeys(v as Plain)) {
        mask += this.encodeObject(v as Plain, prefix + key + '.', prev)
        continue
      }
      let f: number
      if (!top) f = this.field(prefix + key)
      else if (this.slotKey[p] === key) f = this.slotField[p]
      else {
        f = this.field(key)
        this.slotKey[p] = key
        this.slotField[p] = f
      }
      mask += BIT[f]
      this.put(f, v, prev)
    }
    return mask
  }

  /** True for a number kept as a scaled integer (the rest is stored literally). */
  protected static scalable(v: unknown): v is number {
    return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < DELTA_LIMIT
  }

  /** A scalable number as stored: round(v * 100), as a delta against the unit's previous value or as it is. */
  protected scaled(f: number, v: number, prev: number[]): number {
    const scaled = Math.round(v * SCALE)
    const delta = scaled - (prev[f] ?? 0)
    this.sumDelta[f] += Math.abs(delta)
    this.sumRaw[f] += Math.abs(scaled)
    prev[f] = scaled
    return this.raw[f] ? scaled : delta
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
      this.added()
    }
    return f
  }

  /** Called when a field joins the dictionary. */
  protected added(): void {}
}

/** Format versions 1 and 2: a tick's columns as JSON arrays (unit indexes, presence masks, then each field's values). */
export class SampleEncoder extends GroupEncoder {
  private c: unknown[][] = []

  encode(samples: readonly Sample[]): EncodedTickSamples {
    const u: number[] = []
    const m: number[] = []
    const c: unknown[][] = (this.c = [])
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]
      const ui = this.unit(s.id, i)
      u.push(ui)
      m.push(this.encodeObject(s as unknown as Plain, '', this.prev[ui]))
    }
    for (let f = 0; f < c.length; f++) c[f] ??= []
    return { u, m, c }
  }

  protected put(f: number, v: unknown, prev: number[]): void {
    const col = (this.c[f] ??= [])
    if (GroupEncoder.scalable(v)) col.push(this.scaled(f, v, prev))
    // Wrapped so a literal is never mistaken for a delta.
    else if (typeof v === 'number' || Array.isArray(v) || isPlain(v)) col.push({ v })
    else col.push(v)
  }
}

/** Writes the unsigned LEB128 varint of a non-negative integer up to 2^53 at `at`; returns where it ends. */
export function putUint(b: Uint8Array, at: number, v: number): number {
  while (v > 0x7fffffff) {
    b[at++] = (v % 0x80) | 0x80
    v = Math.floor(v / 0x80)
  }
  while (v > 0x7f) {
    b[at++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  b[at++] = v
  return at
}

/** Bytes appended to a buffer that grows as needed (kept across chunks, so a chunk allocates nothing). */
export class ByteWriter {
  buf = new Uint8Array(16 * 1024)
  length = 0

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n))
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }
}

/** Reads what ByteWriter wrote; any read past the end or an over-long varint throws. */
export class ByteReader {
  constructor(
    private readonly buf: Uint8Array,
    public at = 0,
    private readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.at === this.end
  }

  uint(): number {
    let x = 0
    let mul = 1
    for (;;) {
      if (this.at >= this.end) throw new Error('a sample block is cut off')
      const b = this.buf[this.at++]
      x += (b & 0x7f) * mul
      if (b < 0x80) return x
      mul *= 0x80
      if (mul > 2 ** 49) throw new Error('a number in a sample block is malformed')
    }
  }

  byte(): number {
    if (this.at >= this.end) throw new Error('a sample block is cut off')
    return this.buf[this.at++]
  }
}

/*
 * Format version 3 stores a tick's samples as bytes, all counts and values unsigned varints: the sample count, a flags
 * byte (1: same unit indexes as the group's previous tick, 2: same presence masks; either column is then left out),
 * the unit indexes, the masks, then for each field that any sample has: a kind byte and its values in sample order.
 * Kind 0: all values are numbers, zigzag-coded (0, -1, 1, -2... as 0, 1, 2, 3...). Kind 1: each value is tagged in its
 * two low bits: 0 = zigzag number * 4, 1 = null / false / true (1, 5, 9), 2 = index * 4 in the group's string
 * dictionary, 3 = index * 4 in the chunk's literals (a JSON array, for what is neither: non-finite or huge numbers,
 * arrays, empty objects).
 */
const T_NUMBER = 0
const T_SPECIAL = 1
const T_STRING = 2
const T_LITERAL = 3
const SPECIALS = [null, false, true] as const
const zigzag = (x: number): number => (x >= 0 ? x * 2 : -x * 2 - 1)
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2)
const sameList = (a: readonly number[], b: readonly number[]): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Format version 3: a tick's columns as varints into one reusable byte buffer per writer (see above). */
export class BinarySampleEncoder extends GroupEncoder {
  readonly strings: string[] = []
  private stringsSent = 0
  private readonly stringIndex = new Map<string, number>()
  private literals: unknown[] = []
  /** Per field, this tick's values, tagged (numbers as zigzag * 4), how many, and whether any is not a number. */
  private readonly vals: Float64Array[] = []
  private readonly counts: number[] = []
  private readonly mixed: boolean[] = []
  private readonly lastString: (string | null)[] = []
  private readonly lastStringIndex: number[] = []
  private units: number[] = []
  private masks: number[] = []
  private prevUnits: number[] = []
  private prevMasks: number[] = []

  constructor(readonly out: ByteWriter = new ByteWriter()) {
    super()
    out.length = 0
  }

  /**
   * The chunk's sample bytes (a view into the buffer: copy it before the next tick), with the strings first seen in it
   * and its literals (both go in the chunk's JSON part). The next chunk starts empty.
   */
  takeChunk(): { bytes: Uint8Array; strs: string[]; lits: unknown[] } {
    const strs = this.strings.slice(this.stringsSent)
    this.stringsSent = this.strings.length
    const lits = this.literals
    this.literals = []
    const bytes = this.out.buf.subarray(0, this.out.length)
    this.out.length = 0
    return { bytes, strs, lits }
  }

  encode(samples: readonly Sample[]): void {
    const n = samples.length
    const units = this.prevUnits
    const masks = this.prevMasks
    this.prevUnits = this.units
    this.prevMasks = this.masks
    units.length = n
    masks.length = n
    for (let i = 0; i < n; i++) {
      const s = samples[i]
      const ui = this.unit(s.id, i)
      units[i] = ui
      masks[i] = this.encodeObject(s as unknown as Plain, '', this.prev[ui])
    }
    const sameUnits = sameList(units, this.prevUnits)
    const sameMasks = sameList(masks, this.prevMasks)
    let total = 0
    for (let f = 0; f < this.counts.length; f++) total += this.counts[f]
    // At most 8 bytes a varint, 1 a kind byte: room for the whole tick, then plain stores.
    const w = this.out
    w.ensure(8 * (2 + 2 * n + total) + this.counts.length)
    const b = w.buf
    let at = putUint(b, w.length, n)
    b[at++] = (sameUnits ? 1 : 0) | (sameMasks ? 2 : 0)
    if (!sameUnits) for (let i = 0; i < n; i++) at = putUint(b, at, units[i])
    if (!sameMasks) for (let i = 0; i < n; i++) at = putUint(b, at, masks[i])
    for (let f = 0; f < this.counts.length; f++) {
      const count = this.counts[f]
      if (count === 0) continue
      const col = this.vals[f]
      if (this.mixed[f]) {
        b[at++] = 1
        for (let i = 0; i < count; i++) at = putUint(b, at, col[i])
      } else {
        b[at++] = 0
        for (let i = 0; i < count; i++) at = putUint(b, at, col[i] / 4)
      }
      this.counts[f] = 0
      this.mixed[f] = false
    }
    w.length = at
    this.units = units
    this.masks = masks
  }

  protected added(): void {
    this.vals.push(new Float64Array(64))
    this.counts.push(0)
    this.mixed.push(false)
    this.lastString.push(null)
    this.lastStringIndex.push(0)
  }

  protected put(f: number, v: unknown, prev: number[]): void {
    let col = this.vals[f]
    const i = this.counts[f]++
    if (i === col.length) {
      const grown = new Float64Array(col.length * 2)
      grown.set(col)
      col = this.vals[f] = grown
    }
    if (GroupEncoder.scalable(v)) {
      col[i] = zigzag(this.scaled(f, v, prev)) * 4
      return
    }
    this.mixed[f] = true
    if (v === null) col[i] = T_SPECIAL
    else if (typeof v === 'boolean') col[i] = (v ? 2 : 1) * 4 + T_SPECIAL
    else if (typeof v === 'string') col[i] = this.stringOf(f, v) * 4 + T_STRING
    else {
      this.literals.push(v)
      col[i] = (this.literals.length - 1) * 4 + T_LITERAL
    }
  }

  /** A string's index in the group's dictionary (a field's strings mostly repeat its last one: an OS state letter). */
  private stringOf(f: number, v: string): number {
    if (this.lastString[f] === v) return this.lastStringIndex[f]
    let i = this.stringIndex.get(v)
    if (i === undefined) {
      i = this.strings.length
      this.strings.push(v)
      this.stringIndex.set(v, i)
    }
    this.lastString[f] = v
    this.lastStringIndex[f] = i
    return i
  }
}

/** Decodes the rows of a keyframe group in order (the deltas chain across its ticks and chunks), JSON or binary. */
export class SampleDecoder {
  private readonly fields: string[] = []
  /** Each field's name split at its dots, or null for a plain name (the usual case, set directly). */
  private readonly paths: (string[] | null)[] = []
  private readonly ids: string[] = []
  private readonly prev: number[][] = []
  private raw: boolean[] = []
  private readonly strings: string[] = []
  private literals: unknown[] = []
  private prevUnits: number[] = []
  private prevMasks: number[] = []

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

  /** Format version 3: the strings a chunk brings and its literals, before its sample blocks are decoded. */
  extendBinary(strs: readonly string[], lits: readonly unknown[]): void {
    for (const s of strs) {
      if (typeof s !== 'string') throw new Error('a string is malformed')
      this.strings.push(s)
    }
    this.literals = [...lits]
  }

  private set(sample: Plain, f: number, value: unknown): void {
    const path = this.paths[f]
    if (path) setPath(sample, path, value)
    else sample[this.fields[f]] = value
  }

  /** A number as stored (delta or as it is, per the field's coding) back to its value. */
  private number(f: number, u: number, v: number): number {
    const prev = this.prev[u]
    const scaled = this.raw[f] ? v : (prev[f] ?? 0) + v
    prev[f] = scaled
    return scaled / SCALE
  }

  decode(cols: EncodedTickSamples | undefined): Sample[] {
    if (!Array.isArray(cols?.u) || !Array.isArray(cols.m) || !Array.isArray(cols.c))
      throw new Error("a tick's samples are malformed")
    const next = cols.c.map(() => 0)
    const out: Sample[] = []
    for (let i = 0; i < cols.u.length; i++) {
      const u = cols.u[i]
      let mask = cols.m[i]
      if (typeof u !== 'number' || u < 0 || u >= this.ids.length || typeof mask !== 'number')
        throw new Error('a sample row is malformed')
      const sample: Plain = { id: this.ids[u] }
      for (let f = 0; f < this.fields.length && mask > 0; f++) {
        const bit = BIT[f]
        if (mask % (bit * 2) < bit) continue
        mask -= bit
        const v = cols.c[f]?.[next[f]++]
        let value: unknown
        if (typeof v === 'number') value = this.number(f, u, v)
        else if (isPlain(v) && 'v' in v) value = v.v
        else value = v
        this.set(sample, f, value)
      }
      out.push(sample as unknown as Sample)
    }
    return out
  }

  /** Format version 3: one tick's sample block (see BinarySampleEncoder), field by field. */
  decodeBinary(r: ByteReader): Sample[] {
    const n = r.uint()
    const flags = r.byte()
    if (flags > 3) throw new Error('a sample block is malformed')
    const units = flags & 1 ? this.prevUnits : this.readList(r, n, this.ids.length)
    const masks = flags & 2 ? this.prevMasks : this.readList(r, n, 2 ** this.fields.length)
    if (units.length !== n || masks.length !== n) throw new Error('a sample block is malformed')
    this.prevUnits = units
    this.prevMasks = masks
    const out: Plain[] = new Array<Plain>(n)
    for (let i = 0; i < n; i++) out[i] = { id: this.ids[units[i]] }
    for (let f = 0; f < this.fields.length; f++) {
      let kind = -1
      for (let i = 0; i < n; i++) {
        // Bits below 32 survive the int32 conversion of & and >> for any mask up to 2^52.
        const has = f < 32 ? (masks[i] >> f) & 1 : Math.floor(masks[i] / BIT[f]) % 2
        if (has === 0) continue
        if (kind < 0) {
          kind = r.byte()
          if (kind > 1) throw new Error('a sample column is malformed')
        }
        const v = r.uint()
        let value: unknown
        if (kind === 0) value = this.number(f, units[i], unzigzag(v))
        else {
          const tag = v % 4
          const k = (v - tag) / 4
          if (tag === T_NUMBER) value = this.number(f, units[i], unzigzag(k))
          else if (tag === T_SPECIAL && k < SPECIALS.length) value = SPECIALS[k]
          else if (tag === T_STRING && k < this.strings.length) value = this.strings[k]
          else if (tag === T_LITERAL && k < this.literals.length) value = this.literals[k]
          else throw new Error('a sample value is malformed')
        }
        this.set(out[i], f, value)
      }
    }
    return out as unknown as Sample[]
  }

  /** n unsigned values each below `limit`. */
  private readList(r: ByteReader, n: number, limit: number): number[] {
    const out: number[] = []
    for (let i = 0; i < n; i++) {
      const v = r.uint()
      if (v >= limit) throw new Error('a sample row is malformed')
      out.push(v)
    }
    return out
  }
}
