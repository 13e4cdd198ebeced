// Columnar delta coding of samples (and, from format 3, of ticks' own fields): generic over whatever fields they have.
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
/** True for a number kept as a scaled integer (the rest is stored literally). */
const scalable = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < DELTA_LIMIT
/** Longest array of numbers among a tick's own fields stored element by element (longer ones: as JSON). */
const FLAT_ARRAY = 16
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v)
const hasKeys = (o: Plain): boolean => {
  for (const _ in o) return true
  return false
}

/** A copy twice as long, the new half filled with `fill`. */
const grown = (a: Float64Array, fill: number): Float64Array => {
  const out = new Float64Array(a.length * 2).fill(fill)
  out.set(a)
  return out
}

/** 2^f for every field index a mask can hold. */
const BIT = Array.from({ length: MAX_FIELDS }, (_, f) => 2 ** f)

/** A part of a tick field's name that stands for an array index ("machine.cores.[3]"); see BinarySampleEncoder. */
const INDEX_PART = /^\[(\d{1,4})\]$/

function indexOf(part: string): number {
  const m = INDEX_PART.exec(part)
  if (!m) throw new Error('a field name is malformed')
  return Number(m[1])
}

type Container = Plain | unknown[]

/**
 * Sets a dotted field ("time.onCpu") on a sample being rebuilt. Names come from the file: a part named "__proto__" is
 * defined as an own property, never assigned, so nothing in a recording can reach Object.prototype. With `arrays`
 * (a tick's own fields, format 3), a part such as "[3]" is an index in an array.
 */
function setPath(out: Plain, parts: readonly string[], v: unknown, arrays = false): void {
  let at: Container = out
  for (let i = 0; i < parts.length - 1; i++) {
    const wantArray = arrays && INDEX_PART.test(parts[i + 1])
    const next = getIn(at, parts[i])
    if (wantArray ? Array.isArray(next) : isPlain(next)) at = next as Container
    else {
      const fresh: Container = wantArray ? [] : {}
      setIn(at, parts[i], fresh)
      at = fresh
    }
  }
  setIn(at, parts[parts.length - 1], v)
}

function getIn(at: Container, key: string): unknown {
  if (Array.isArray(at)) return at[indexOf(key)]
  return Object.hasOwn(at, key) ? at[key] : undefined
}

function setIn(at: Container, key: string, v: unknown): void {
  if (Array.isArray(at)) at[indexOf(key)] = v
  else define(at, key, v)
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
  protected raw: boolean[] = []
  private sumDelta: number[] = []
  protected sumRaw: number[] = []
  private readonly fieldIndex = new Map<string, number>()
  private readonly idIndex = new Map<string, number>()
  /** Previous scaled value per unit index and field index, at ui * MAX_FIELDS + f (0 before any). */
  protected prev: Float64Array = new Float64Array(64 * MAX_FIELDS)
  /** Per place in a tick's sample list: the id there last time, and its unit index. */
  private readonly slotId: string[] = []
  private readonly slotUnit: number[] = []
  /**
   * Per place of a key in a row (counted through nested objects and flattened arrays, in order): the key there last
   * time (an array element's index), the name of the object holding it, its dotted name and its field (-1: an object).
   */
  private readonly slotKey: (string | number)[] = []
  private readonly slotPrefix: string[] = []
  private readonly slotName: string[] = []
  private readonly slotField: number[] = []
  /** Places of keys visited so far in the current row. */
  private pos = 0

  /** Dictionary entries added since the last call: each chunk carries only the names new in it. */
  takeNew(): { fields: string[]; ids: string[]; raw: string } {
    const out = {
      fields: this.fields.slice(this.fieldsSent),
      ids: this.ids.slice(this.idsSent),
      // Format 3 states each column's coding in its kind byte instead.
      raw: this instanceof BinarySampleEncoder ? '' : this.raw.map((r) => (r ? '1' : '0')).join(''),
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
   * A tick's own fields (format 3) rather than samples: one row, no "id" key left out, and arrays of a few numbers
   * stored as one field per element ("machine.cores.[0]"), so a machine's per-core CPU is delta-coded like a sample.
   */
  constructor(protected readonly tickFields = false) {}

  /** Stores one field value of the row of unit index `ui`. */
  protected abstract put(f: number, v: unknown, ui: number): void

  /** Called when a unit joins the dictionary. */
  protected addedUnit(): void {}

  /** The unit index of the i-th sample of a tick (new ids join the dictionary). */
  protected unit(id: string, i: number): number {
    // Ticks list their units in the same order: the sample in the same place usually is the same unit as last time.
    if (this.slotId[i] === id) return this.slotUnit[i]
    let ui = this.idIndex.get(id)
    if (ui === undefined) {
      ui = this.ids.length
      this.ids.push(id)
      this.idIndex.set(id, ui)
      if (this.ids.length * MAX_FIELDS > this.prev.length) this.prev = grown(this.prev, 0)
      this.addedUnit()
    }
    this.slotId[i] = id
    this.slotUnit[i] = ui
    return ui
  }

  /**
   * Puts one row's fields (a sample's, or a nested object's) into their columns; returns their presence bits. Fields
   * go straight to their columns (nested plain objects as dotted names, so their numbers are delta-coded too). Every
   * tick calls this for every sample: a key's field comes from what its place in the row held last time (rows share
   * their shape), not from the name dictionary; for-in (the keys' enumeration cache, no array allocated) rather than
   * Object.keys, which differ only for enumerable inherited properties, which the lab's plain objects do not have.
   */
  protected encodeRow(row: Plain, ui: number): number {
    this.pos = 0
    return this.encodeObject(row, -1, ui)
  }

  private encodeObject(obj: Plain, parent: number, ui: number): number {
    let mask = 0
    for (const key in obj) {
      const p = this.pos++
      const v = obj[key]
      if (v === undefined || (parent < 0 && key === 'id' && !this.tickFields)) continue
      if (typeof v === 'object' && v !== null) {
        if (!Array.isArray(v)) {
          if (hasKeys(v as Plain)) {
            this.nameAt(p, parent, key)
            mask += this.encodeObject(v as Plain, p, ui)
            continue
          }
        } else if (this.tickFields && v.length > 0 && v.length <= FLAT_ARRAY && v.every(scalable)) {
          this.nameAt(p, parent, key)
          for (let i = 0; i < v.length; i++) {
            const f = this.fieldAt(this.pos++, p, i)
            mask += BIT[f]
            this.put(f, v[i], ui)
          }
          continue
        }
      }
      const f = this.fieldAt(p, parent, key)
      mask += BIT[f]
      this.put(f, v, ui)
    }
    return mask
  }

  /** The dotted name of the key at place p ("time.blockedOn.io", "machine.cores.[0]"), kept for the next row. */
  private nameAt(p: number, parent: number, key: string | number): string {
    if (this.holds(p, parent, key)) return this.slotName[p]
    const part = typeof key === 'number' ? `[${key}]` : key
    const prefix = parent < 0 ? '' : this.slotName[parent]
    const name = parent < 0 ? part : `${prefix}.${part}`
    this.slotKey[p] = key
    this.slotPrefix[p] = prefix
    this.slotName[p] = name
    this.slotField[p] = -1
    return name
  }

  private fieldAt(p: number, parent: number, key: string | number): number {
    if (this.holds(p, parent, key) && this.slotField[p] >= 0) return this.slotField[p]
    const f = this.field(this.nameAt(p, parent, key))
    this.slotField[p] = f
    return f
  }

  /** The place holds what it held last time: the same key in an object of the same name (the very same string). */
  private holds(p: number, parent: number, key: string | number): boolean {
    return this.slotKey[p] === key && this.slotPrefix[p] === (parent < 0 ? '' : this.slotName[parent])
  }

  /** A scalable number as stored: round(v * 100), as a delta against the unit's previous value or as it is. */
  protected scaled(f: number, v: number, ui: number): number {
    const scaled = Math.round(v * SCALE)
    const at = ui * MAX_FIELDS + f
    const delta = scaled - this.prev[at]
    this.sumDelta[f] += Math.abs(delta)
    this.sumRaw[f] += Math.abs(scaled)
    this.prev[at] = scaled
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
      m.push(this.encodeRow(s as unknown as Plain, ui))
    }
    for (let f = 0; f < c.length; f++) c[f] ??= []
    return { u, m, c }
  }

  protected put(f: number, v: unknown, ui: number): void {
    const col = (this.c[f] ??= [])
    if (scalable(v)) col.push(this.scaled(f, v, ui))
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

  /** Skips n bytes; returns where they start (read them with `get`). */
  skip(n: number): number {
    if (this.at + n > this.end) throw new Error('a sample block is cut off')
    this.at += n
    return this.at - n
  }

  get(at: number): number {
    return this.buf[at]
  }
}

/*
 * Format version 3 stores a tick's samples, and the tick's own fields, as blocks of bytes, all counts and values
 * unsigned varints: the row count, a flags byte (1: same unit indexes as the group's previous block of its kind, 2:
 * same presence masks; either column is then left out), the unit indexes, the masks, then for each field that any
 * row has: a kind byte and its values in row order. Kind bit 1: each value is tagged in its two low bits (0 = number
 * * 4, 1 = null / false / true / an empty array as 1, 5, 9, 13, 2 = index * 4 in the group's string dictionary, 3 =
 * index * 4 in the chunk's literals: a JSON array, for what is none of these, such as non-finite or huge numbers,
 * longer arrays, empty objects); without it every value is a number. Numbers are zigzag-coded (0, -1, 1, -2... as
 * 0, 1, 2, 3...) deltas against the unit's previous value of the field, or the values as they are with kind bit 2.
 * Kind bit 4: a bitmap (bit set = value follows) comes first, and the rows whose value is unchanged since their
 * previous one (same number, string, null or boolean) have none.
 */
const T_NUMBER = 0
const T_SPECIAL = 1
const T_STRING = 2
const T_LITERAL = 3
/** The values of T_SPECIAL, by index; an empty array comes back as a new one each time. */
const SPECIALS = [null, false, true] as const
const EMPTY_ARRAY = 3
/** A unit's last value of a field, as `tags` keeps it: a number (compared by its scaled value), else its tag. */
const NUMBER_TAG = -1
/** What a decoder keeps of a value for the unchanged ones after it: objects (literals, empty arrays) are never kept. */
const kept = (value: unknown): unknown => (typeof value === 'object' && value !== null ? undefined : value)
const zigzag = (x: number): number => (x >= 0 ? x * 2 : -x * 2 - 1)
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2)
const sameList = (a: readonly number[], b: readonly number[]): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** What the two encoders of a keyframe group share: the string dictionary, the chunk's literals and its bytes. */
export class GroupTables {
  readonly strings: string[] = []
  private stringsSent = 0
  readonly stringIndex = new Map<string, number>()
  literals: unknown[] = []

  constructor(readonly out: ByteWriter = new ByteWriter()) {
    out.length = 0
  }

  /**
   * The chunk's blocks (a view into the buffer: copy it before the next tick), with the strings first seen in it and
   * its literals (both go in the chunk's JSON part). The next chunk starts empty.
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
}

/** Format version 3: a tick's samples (or, with `tickFields`, the tick's own fields) as a block of bytes (see above). */
export class BinarySampleEncoder extends GroupEncoder {
  /**
   * Per field, this block's values, tagged (numbers as zigzag * 4), or -1 - that for a value unchanged since the
   * unit's previous one; how many, how many unchanged, and whether any is not a number.
   */
  private readonly vals: Float64Array[] = []
  private readonly sameCount: number[] = []
  private readonly counts: number[] = []
  private readonly mixed: boolean[] = []
  private readonly lastString: (string | null)[] = []
  private readonly lastStringIndex: number[] = []
  /** Per unit index and field (as `prev`): its last value as NUMBER_TAG or a tag (NaN: none, or never "unchanged"). */
  private tags: Float64Array = new Float64Array(64 * MAX_FIELDS).fill(Number.NaN)
  private units: number[] = []
  private masks: number[] = []
  private prevUnits: number[] = []
  private prevMasks: number[] = []
  /** Per unit index: the sample object its last row was walked from, and that row's mask. */
  private readonly lastRow: unknown[] = []
  private readonly lastMask: number[] = []

  constructor(
    readonly tables: GroupTables,
    tickFields = false,
  ) {
    super(tickFields)
    // The tick's own fields are one row with no id: unit 0, which the decoder knows without the file naming it.
    if (tickFields) this.unit('', 0)
  }

  /**
   * A tick's samples. A sample that is the very object the unit had in the last tick (the lab hands on an unchanged
   * sample as it is, and never changes one it handed out) is stored as "every field unchanged" without being walked.
   */
  encode(samples: readonly Sample[]): void {
    const n = samples.length
    const { units, masks } = this.nextBlock(n)
    for (let i = 0; i < n; i++) {
      const s = samples[i]
      const ui = this.unit(s.id, i)
      units[i] = ui
      if (this.lastRow[ui] === s && this.repeat(ui, this.lastMask[ui])) masks[i] = this.lastMask[ui]
      else {
        const mask = this.encodeRow(s as unknown as Plain, ui)
        masks[i] = mask
        this.lastRow[ui] = s
        this.lastMask[ui] = mask
      }
    }
    this.write(n)
  }

  /** Stores every field of unit `ui`'s row `mask` as unchanged; false (nothing stored) when one cannot be. */
  private repeat(ui: number, mask: number): boolean {
    const tags = this.tags
    const base = ui * MAX_FIELDS
    const nf = this.fields.length
    // A field whose last value cannot be said to be unchanged (a literal) needs the row walked.
    for (let f = 0, m = mask; f < nf && m > 0; f++, m = Math.floor(m / 2))
      if (m % 2 === 1 && Number.isNaN(tags[base + f])) return false
    for (let f = 0, m = mask; f < nf && m > 0; f++, m = Math.floor(m / 2)) {
      if (m % 2 === 0) continue
      const col = this.column(f)
      const i = this.counts[f]++
      const tag = tags[base + f]
      this.sameCount[f]++
      if (tag === NUMBER_TAG) {
        // What put() stores for a number equal to the last: its delta 0, or, raw, the scaled value again.
        const scaled = this.prev[base + f]
        this.sumRaw[f] += Math.abs(scaled)
        col[i] = -1 - zigzag(this.raw[f] ? scaled : 0) * 4
      } else {
        this.mixed[f] = true
        col[i] = -1 - tag
      }
    }
    return true
  }

  /** A tick's own fields (tickFields encoders): everything but its samples. */
  encodeTick(rest: Record<string, unknown>): void {
    const { units, masks } = this.nextBlock(1)
    units[0] = 0
    masks[0] = this.encodeRow(rest, 0)
    this.write(1)
  }

  takeNew(): { fields: string[]; ids: string[]; raw: string } {
    const out = super.takeNew()
    // The tick encoder's one unit is implied.
    if (this.tickFields) out.ids = []
    return out
  }

  /** This block's unit and mask lists (the last block's become the previous ones: no allocation). */
  private nextBlock(n: number): { units: number[]; masks: number[] } {
    const units = this.prevUnits
    const masks = this.prevMasks
    this.prevUnits = this.units
    this.prevMasks = this.masks
    this.units = units
    this.masks = masks
    units.length = n
    masks.length = n
    return { units, masks }
  }

  private write(n: number): void {
    const { units, masks } = this
    const sameUnits = sameList(units, this.prevUnits)
    const sameMasks = sameList(masks, this.prevMasks)
    let total = 0
    for (let f = 0; f < this.counts.length; f++) total += this.counts[f]
    // At most 8 bytes a varint, 1 a kind byte, a bitmap byte per 8 values: room for the block, then plain stores.
    const w = this.tables.out
    w.ensure(8 * (2 + 2 * n + total) + 2 * this.counts.length + (total >> 3))
    const b = w.buf
    let at = putUint(b, w.length, n)
    b[at++] = (sameUnits ? 1 : 0) | (sameMasks ? 2 : 0)
    if (!sameUnits) for (let i = 0; i < n; i++) at = putUint(b, at, units[i])
    if (!sameMasks) for (let i = 0; i < n; i++) at = putUint(b, at, masks[i])
    for (let f = 0; f < this.counts.length; f++) {
      const count = this.counts[f]
      if (count === 0) continue
      const col = this.vals[f]
      const mixed = this.mixed[f]
      const bytes = (count + 7) >> 3
      // A bitmap costs a byte per 8 values and spares at least a byte per unchanged value.
      const map = this.sameCount[f] > bytes
      b[at++] = (mixed ? 1 : 0) | (this.raw[f] ? 2 : 0) | (map ? 4 : 0)
      if (map) {
        for (let j = 0; j < bytes; j++) {
          let bits = 0
          for (let k = 0; k < 8; k++) if (j * 8 + k < count && col[j * 8 + k] >= 0) bits |= 1 << k
          b[at++] = bits
        }
      }
      for (let i = 0; i < count; i++) {
        let x = col[i]
        if (x < 0) {
          if (map) continue
          x = -1 - x
        }
        at = putUint(b, at, mixed ? x : x / 4)
      }
      this.counts[f] = 0
      this.sameCount[f] = 0
      this.mixed[f] = false
    }
    w.length = at
  }

  protected addedUnit(): void {
    if (this.prev.length > this.tags.length) this.tags = grown(this.tags, Number.NaN)
  }

  protected added(): void {
    this.vals.push(new Float64Array(64))
    this.sameCount.push(0)
    this.counts.push(0)
    this.mixed.push(false)
    this.lastString.push(null)
    this.lastStringIndex.push(0)
  }

  /** Field f's column for this block, with room for one more value. */
  private column(f: number): Float64Array {
    const col = this.vals[f]
    if (this.counts[f] < col.length) return col
    const grown = new Float64Array(col.length * 2)
    grown.set(col)
    return (this.vals[f] = grown)
  }

  protected put(f: number, v: unknown, ui: number): void {
    const col = this.column(f)
    const i = this.counts[f]++
    const tags = this.tags
    const at = ui * MAX_FIELDS + f
    if (scalable(v)) {
      const before = this.prev[at]
      const x = zigzag(this.scaled(f, v, ui)) * 4
      if (tags[at] === NUMBER_TAG && this.prev[at] === before) {
        col[i] = -1 - x
        this.sameCount[f]++
      } else {
        col[i] = x
        tags[at] = NUMBER_TAG
      }
      return
    }
    this.mixed[f] = true
    let tag: number
    if (v === null) tag = T_SPECIAL
    else if (typeof v === 'boolean') tag = (v ? 2 : 1) * 4 + T_SPECIAL
    else if (typeof v === 'string') tag = this.stringOf(f, v) * 4 + T_STRING
    else if (Array.isArray(v) && v.length === 0) tag = EMPTY_ARRAY * 4 + T_SPECIAL
    else {
      this.tables.literals.push(v)
      tag = (this.tables.literals.length - 1) * 4 + T_LITERAL
    }
    if (tags[at] === tag) {
      col[i] = -1 - tag
      this.sameCount[f]++
    } else col[i] = tag
    // A literal or an empty array is a new object each time: never "unchanged" (it would be shared when read).
    tags[at] = (tag & 3) === T_LITERAL || tag === EMPTY_ARRAY * 4 + T_SPECIAL ? Number.NaN : tag
  }

  /** A string's index in the group's dictionary (a field's strings mostly repeat its last one: an OS state letter). */
  private stringOf(f: number, v: string): number {
    if (this.lastString[f] === v) return this.lastStringIndex[f]
    const t = this.tables
    let i = t.stringIndex.get(v)
    if (i === undefined) {
      i = t.strings.length
      t.strings.push(v)
      t.stringIndex.set(v, i)
    }
    this.lastString[f] = v
    this.lastStringIndex[f] = i
    return i
  }
}

/** What the two decoders of a keyframe group share: the string dictionary and the chunk's literals. */
export class DecodeTables {
  readonly strings: string[] = []
  literals: unknown[] = []

  /** The strings a chunk brings and its literals, before its blocks are decoded. */
  extend(strs: readonly unknown[], lits: readonly unknown[]): void {
    for (const s of strs) {
      if (typeof s !== 'string') throw new Error('a string is malformed')
      this.strings.push(s)
    }
    this.literals = [...lits]
  }
}

/**
 * Decodes the rows of a keyframe group in order (the deltas chain across its ticks and chunks): JSON columns
 * (versions 1 and 2) or blocks (version 3; with `tickFields`, the blocks of the ticks' own fields).
 */
export class SampleDecoder {
  private readonly fields: string[] = []
  /** Each field's name split at its dots, or null for a plain name (the usual case, set directly). */
  private readonly paths: (string[] | null)[] = []
  private readonly ids: string[] = []
  private readonly prev: number[][] = []
  /** Per unit, per field: the last value decoded (undefined after a literal), for unchanged values. */
  private readonly prevVal: unknown[][] = []
  private raw: boolean[] = []
  private prevUnits: number[] = []
  private prevMasks: number[] = []
  private readonly rows: number[] = []

  constructor(
    readonly tables = new DecodeTables(),
    private readonly tickFields = false,
  ) {
    if (tickFields) this.extend([], [''])
  }

  /** Adds the names a chunk brings, and its fields' codings (versions 1 and 2), before its rows are decoded. */
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
      this.prevVal.push([])
    }
  }

  private set(row: Plain, f: number, value: unknown): void {
    const path = this.paths[f]
    if (path) setPath(row, path, value, this.tickFields)
    else row[this.fields[f]] = value
  }

  /** A number as stored (delta, or as it is when `raw`) back to its value. */
  private number(f: number, u: number, v: number, raw: boolean): number {
    const prev = this.prev[u]
    const scaled = raw ? v : (prev[f] ?? 0) + v
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
        if (typeof v === 'number') value = this.number(f, u, v, this.raw[f])
        else if (isPlain(v) && 'v' in v) value = v.v
        else value = v
        this.set(sample, f, value)
      }
      out.push(sample as unknown as Sample)
    }
    return out
  }

  /** Format version 3: one tick's block of samples (see BinarySampleEncoder), field by field. */
  decodeBinary(r: ByteReader): Sample[] {
    return this.block(r) as unknown as Sample[]
  }

  /** Format version 3, a tickFields decoder: one tick's own fields. */
  decodeTick(r: ByteReader): Record<string, unknown> {
    const rows = this.block(r)
    if (rows.length !== 1) throw new Error("a tick's fields are malformed")
    return rows[0]
  }

  private block(r: ByteReader): Plain[] {
    const n = r.uint()
    const flags = r.byte()
    if (flags > 3) throw new Error('a sample block is malformed')
    const units = flags & 1 ? this.prevUnits : this.readList(r, n, this.ids.length)
    const masks = flags & 2 ? this.prevMasks : this.readList(r, n, 2 ** this.fields.length)
    if (units.length !== n || masks.length !== n) throw new Error('a sample block is malformed')
    this.prevUnits = units
    this.prevMasks = masks
    const out: Plain[] = new Array<Plain>(n)
    for (let i = 0; i < n; i++) out[i] = this.tickFields ? {} : { id: this.ids[units[i]] }
    const rows = this.rows
    for (let f = 0; f < this.fields.length; f++) {
      rows.length = 0
      // Bits below 32 survive the int32 conversion of & and >> for any mask up to 2^52.
      for (let i = 0; i < n; i++)
        if ((f < 32 ? (masks[i] >> f) & 1 : Math.floor(masks[i] / BIT[f]) % 2) === 1) rows.push(i)
      if (rows.length === 0) continue
      const kind = r.byte()
      if (kind > 7) throw new Error('a sample column is malformed')
      const mixed = (kind & 1) === 1
      const raw = (kind & 2) === 2
      const map = kind & 4 ? r.skip((rows.length + 7) >> 3) : -1
      for (let j = 0; j < rows.length; j++) {
        const i = rows[j]
        const u = units[i]
        const last = this.prevVal[u]
        let value: unknown
        if (map >= 0 && ((r.get(map + (j >> 3)) >> (j & 7)) & 1) === 0) {
          value = last[f]
          if (value === undefined) throw new Error('a sample value is malformed')
        } else {
          const v = r.uint()
          if (!mixed) value = this.number(f, u, unzigzag(v), raw)
          else {
            const tag = v % 4
            const k = (v - tag) / 4
            if (tag === T_NUMBER) value = this.number(f, u, unzigzag(k), raw)
            else if (tag === T_SPECIAL && k < SPECIALS.length) value = SPECIALS[k]
            else if (tag === T_SPECIAL && k === EMPTY_ARRAY) value = []
            else if (tag === T_STRING && k < this.tables.strings.length) value = this.tables.strings[k]
            else if (tag === T_LITERAL && k < this.tables.literals.length) value = this.tables.literals[k]
            else throw new Error('a sample value is malformed')
          }
          // A literal or an empty array is never "unchanged" (see put): nothing to repeat.
          last[f] = kept(value)
        }
        this.set(out[i], f, value)
      }
    }
    return out
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
