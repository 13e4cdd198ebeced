// Opens a session recording: checks its header, indexes its chunks, decodes them on demand and seeks to any instant.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { crc32 } from 'node:zlib'
import type { Tick, Unit } from '../../../shared/model'
import {
  FORMAT_VERSION,
  FRAME_HEAD_BYTES,
  MAGIC,
  type ChunkBody,
  type ChunkRecord,
  type EndRecord,
  type RecordingHeader,
  type StartedItem,
} from '../../../shared/recording/format'
import { ByteReader, DecodeTables, SampleDecoder } from '../../../shared/recording/sample-codec'
import { SessionState } from '../../../shared/recording/session-state'
import { decodeFrameHead, inflateChunk, readTickIndex, type FrameHead } from './frame'

/** A version 3 chunk without a JSON part holds ticks only: each stands for one. */
const TICK: ChunkRecord = { k: 'tick', tick: {} }

/** A file that cannot be read as a recording at all (not one, or from a newer version). */
export class RecordingError extends Error {}

export interface ChunkEntry extends FrameHead {
  offset: number
  /** Where the deflated records start, and how many bytes they take. */
  dataAt: number
  dataLength: number
  /** The chunk's tick times from its index (format version 2); null in a version 1 file. */
  times: number[] | null
  /** Version 3: where a keyframe's units part (deflated JSON) starts, and its length (0 in other chunks). */
  unitsAt: number
  unitsLength: number
}

/** A decoded record: ticks come back whole (samples restored), the rest as stored. */
export type ReplayRecord = { k: 'tick'; tick: Tick } | Exclude<ChunkRecord, { k: 'tick' }>

/** A keyframe group's decoding state: deltas and dictionaries chain across its chunks. */
interface Cursor {
  j: number
  decoder: SampleDecoder
  /** Version 3: the decoder of the ticks' own fields. */
  ticks: SampleDecoder
  /** Versions 1 and 2: the last chunk's inflated body (the next one's preset dictionary). */
  prev: Buffer | null
}

/** What decodeChunk gets of a version 3 chunk besides its JSON part. */
interface Blocks {
  reader: ByteReader
  units: unknown
  times: readonly number[]
}

const HEADER_MAX = 64 * 1024
/** Decoded chunks kept: a frame's minute of history and its keyframe group, so scrubbing nearby decodes little. */
const CACHE_CHUNKS = 96

export class RecordingReader {
  readonly chunks: ChunkEntry[] = []
  readonly end: EndRecord | null
  /** Why the recording stops early (truncated or damaged), one sentence; null when it is whole. */
  readonly problem: string | null
  private readonly cache = new Map<number, ReplayRecord[]>()
  /** Chunks inflated and decoded so far (opening inflates none; a seek, those from its keyframe on). */
  inflated = 0
  /** Where sequential decoding stopped: the chunk last decoded, its group's decoders and its inflated body. */
  private cursor: Cursor | null = null

  private constructor(
    readonly file: string,
    readonly header: RecordingHeader,
    private readonly data: Buffer,
    bodyStart: number,
  ) {
    const scan = this.scan(bodyStart)
    this.end = scan.end
    this.problem = scan.problem
  }

  static open(file: string): RecordingReader {
    let data: Buffer
    try {
      data = readFileSync(file)
    } catch (err) {
      throw new RecordingError(`${file} cannot be read: ${(err as Error).message}`)
    }
    return RecordingReader.fromBytes(file, data)
  }

  /** Reads a recording already in memory (an upload); `file` names it in messages. */
  static fromBytes(file: string, data: Buffer): RecordingReader {
    const name = basename(file)
    const nl = data.subarray(0, HEADER_MAX).indexOf(0x0a)
    const first = data.subarray(0, nl < 0 ? Math.min(data.length, HEADER_MAX) : nl).toString('utf8')
    if (!first.startsWith(MAGIC + ' '))
      throw new RecordingError(`${name} is not a Parallel Lab recording (it does not start with the ${MAGIC} header).`)
    if (nl < 0)
      throw new RecordingError(
        `${name} is a Parallel Lab recording cut off inside its header line, so nothing in it can be read.`,
      )
    let header: RecordingHeader
    try {
      header = JSON.parse(first.slice(MAGIC.length + 1)) as RecordingHeader
    } catch {
      throw new RecordingError(
        `${name} is a Parallel Lab recording whose header line is damaged, so nothing in it can be read.`,
      )
    }
    if (typeof header.version !== 'number' || !Number.isInteger(header.version) || header.version < 1) {
      throw new RecordingError(`${name} names no valid format version in its header.`)
    }
    if (header.version > FORMAT_VERSION) {
      throw new RecordingError(
        `${name} is recording format version ${header.version}; this Parallel Lab reads format version ${FORMAT_VERSION} and older. Update Parallel Lab to open it.`,
      )
    }
    return new RecordingReader(file, header, data, nl + 1)
  }

  /** Indexes every frame head and checks each chunk's CRC. Stops at the first bad one. */
  private scan(start: number): { end: EndRecord | null; problem: string | null } {
    let at = start
    const stopAt = (what: string): string => {
      const good = this.chunks.length
      const t = good > 0 ? this.chunks[good - 1].t1 - this.header.labT0 : 0
      return `The recording stops at byte ${at} of ${this.data.length} (${what}): it opens up to ${(t / 1000).toFixed(1)} s, after ${good} good chunk${good === 1 ? '' : 's'}.`
    }
    while (at < this.data.length) {
      if (this.data.length - at < FRAME_HEAD_BYTES) return { end: null, problem: stopAt('a chunk header is cut off') }
      const head = decodeFrameHead(this.data.subarray(at, at + FRAME_HEAD_BYTES))
      if (!head) return { end: null, problem: stopAt('a chunk header is damaged') }
      const bodyAt = at + FRAME_HEAD_BYTES
      if (bodyAt + head.length > this.data.length) return { end: null, problem: stopAt('the last chunk is cut off') }
      const bytes = this.data.subarray(bodyAt, bodyAt + head.length)
      // The CRC proves a chunk whole without inflating it, so opening reads headers and checksums only.
      if (crc32(bytes) !== head.crc) return { end: null, problem: stopAt('a chunk is damaged') }
      if (head.kind === 'E') {
        try {
          return { end: JSON.parse(inflateChunk(bytes, null).toString('utf8')) as EndRecord, problem: null }
        } catch {
          return { end: null, problem: stopAt('the end record is damaged') }
        }
      }
      let index: { times: number[]; dataAt: number } | null = { times: [], dataAt: 0 }
      if (this.header.version >= 2) {
        index = readTickIndex(bytes)
        if (!index) return { end: null, problem: stopAt("a chunk's tick index is damaged") }
      }
      // Version 3: u32 length of the units part, then the part, after the tick index (see format.ts).
      let unitsLength = 0
      let dataAt = index.dataAt
      if (this.header.version >= 3) {
        unitsLength = dataAt + 4 <= bytes.length ? bytes.readUInt32LE(dataAt) : -1
        if (unitsLength < 0 || dataAt + 4 + unitsLength > bytes.length || (unitsLength === 0) !== (head.kind === 'D'))
          return { end: null, problem: stopAt("a chunk's units part is damaged") }
        dataAt += 4 + unitsLength
      }
      this.chunks.push({
        ...head,
        offset: at,
        dataAt: bodyAt + dataAt,
        dataLength: head.length - dataAt,
        times: this.header.version >= 2 ? index.times : null,
        unitsAt: bodyAt + dataAt - unitsLength,
        unitsLength,
      })
      at = bodyAt + head.length
    }
    return { end: null, problem: stopAt('its end record is missing: the lab stopped without closing it') }
  }

  get firstT(): number {
    return this.header.labT0
  }

  get lastT(): number {
    return this.chunks.length > 0 ? this.chunks[this.chunks.length - 1].t1 : this.header.labT0
  }

  get durationMs(): number {
    return this.lastT - this.firstT
  }

  /** True when the session was closed cleanly (an end frame is there). */
  get complete(): boolean {
    return this.end !== null
  }

  /** The records of chunk i, ticks restored (decoding its keyframe group from the keyframe on). */
  chunk(i: number): ReplayRecord[] {
    const cached = this.cache.get(i)
    if (cached) return cached
    // Chunks chain (deflate dictionary and deltas) from their group's K chunk: go on from where the last read
    // stopped when it was just before, else start at the K chunk; a seek decodes up to its chunk only.
    let cur = this.cursor
    if (!cur || cur.j !== i - 1 || this.chunks[i].kind === 'K') {
      let k = i
      while (k > 0 && this.chunks[k].kind !== 'K') k--
      const tables = new DecodeTables()
      cur = { j: k - 1, decoder: new SampleDecoder(tables), ticks: new SampleDecoder(tables, true), prev: null }
    }
    let out: ReplayRecord[] = []
    for (let j = cur.j + 1; j <= i; j++) {
      const c = this.chunks[j]
      let body: ChunkBody | null
      let blocks: Blocks | null = null
      try {
        if (this.header.version >= 3) {
          const units =
            c.unitsLength > 0
              ? (JSON.parse(
                  inflateChunk(this.data.subarray(c.unitsAt, c.unitsAt + c.unitsLength), null).toString('utf8'),
                ) as unknown)
              : null
          // A byte (1: deflated, 0: not), then u32 n, n bytes of blocks, then the JSON part if any (see format.ts).
          const stored = this.deflated(c)
          const flag = stored[0]
          if (flag !== 0 && flag !== 1) throw new Error('flag')
          const bytes = flag === 1 ? inflateChunk(stored.subarray(1), null) : stored.subarray(1)
          const n = bytes.readUInt32LE(0)
          if (4 + n > bytes.length) throw new Error('cut off')
          blocks = { reader: new ByteReader(bytes, 4, 4 + n), units, times: c.times ?? [] }
          body = 4 + n < bytes.length ? (JSON.parse(bytes.toString('utf8', 4 + n)) as ChunkBody) : null
        } else {
          const bytes = inflateChunk(this.deflated(c), c.kind === 'D' ? cur.prev : null)
          cur.prev = bytes
          body = JSON.parse(bytes.toString('utf8')) as ChunkBody
        }
        this.inflated++
      } catch {
        throw new RecordingError(`Chunk ${j} of ${basename(this.file)} (byte ${c.offset}) is damaged.`)
      }
      out = this.decodeChunk(j, body, cur, blocks)
      cur.j = j
      if (this.cache.size >= CACHE_CHUNKS) this.cache.delete(this.cache.keys().next().value!)
      this.cache.set(j, out)
    }
    this.cursor = cur
    return out
  }

  private deflated(c: ChunkEntry): Buffer {
    return this.data.subarray(c.dataAt, c.dataAt + c.dataLength)
  }

  /**
   * Every tick's lab-clock time, for the scrubber. A version 2 file lists them in its frames, so nothing is inflated;
   * a version 1 file is decoded once for them.
   */
  tickTimes(): number[] {
    if (this.chunks.every((c) => c.times !== null)) return this.chunks.flatMap((c) => c.times!)
    return [...this.ticks()].map((t) => t.t)
  }

  /** What was started in the session: from the end record, else from the last keyframe group (not the whole file). */
  startedItems(): StartedItem[] {
    if (this.end) return this.end.started
    let k = this.chunks.length - 1
    while (k > 0 && this.chunks[k].kind !== 'K') k--
    if (k < 0) return []
    const out: StartedItem[] = []
    for (let i = k; i < this.chunks.length; i++)
      for (const r of this.chunk(i)) {
        if (r.k === 'key') out.splice(0, out.length, ...r.state.started)
        else if (r.k === 'started') out.push(r.item)
      }
    return out
  }

  /**
   * A chunk's records with their ticks restored: from the blocks (version 3: the key record's latest samples first,
   * its units from the units part; per tick its own fields, its time from the tick index, then its samples; a chunk
   * without a JSON part holds ticks only), else from each tick's JSON.
   */
  private decodeChunk(i: number, body: ChunkBody | null, cur: Cursor, blocks: Blocks | null): ReplayRecord[] {
    try {
      if (!blocks) return this.decodeJsonChunk(body, cur.decoder)
      const { reader, units, times } = blocks
      let records: readonly ChunkRecord[]
      if (body) {
        const { fields, ids, tfields, strs, lits } = body
        if (![body.records, fields, ids, tfields, strs, lits].every(Array.isArray)) throw new Error('shape')
        cur.decoder.extend(fields, ids)
        cur.ticks.extend(tfields!, [])
        cur.decoder.tables.extend(strs!, lits!)
        records = body.records
      } else {
        cur.decoder.tables.extend([], [])
        records = times.map(() => TICK)
      }
      let k = 0
      const out = records.map((r): ReplayRecord => {
        if (r.k === 'key') {
          if (!Array.isArray(units)) throw new Error('shape')
          return { k: 'key', state: { ...r.state, units: units as Unit[], latest: cur.decoder.decodeBinary(reader) } }
        }
        if (r.k !== 'tick') return r
        const own = cur.ticks.decodeTick(reader)
        if (k >= times.length) throw new Error('more ticks than times')
        // The index keeps each tick's time exactly (the blocks keep numbers to a hundredth).
        if (Object.hasOwn(own, 't')) own.t = times[k]
        k++
        return { k: 'tick', tick: { ...(own as Omit<Tick, 'samples'>), samples: cur.decoder.decodeBinary(reader) } }
      })
      // Every byte of the blocks belongs to a record: anything left over means the chunk is not what was written.
      if (!reader.done || k !== times.length) throw new Error('left over')
      return out
    } catch {
      throw new RecordingError(`Chunk ${i} of ${basename(this.file)} (byte ${this.chunks[i].offset}) is damaged.`)
    }
  }

  /** Versions 1 and 2: every record in the JSON, each tick with its samples' columns. */
  private decodeJsonChunk(body: ChunkBody | null, decoder: SampleDecoder): ReplayRecord[] {
    if (!body || !Array.isArray(body.records) || !Array.isArray(body.fields) || !Array.isArray(body.ids))
      throw new Error('shape')
    decoder.extend(body.fields, body.ids, body.raw)
    return body.records.map((r): ReplayRecord => {
      if (r.k !== 'tick') return r
      const { s, ...rest } = r.tick
      return { k: 'tick', tick: { ...(rest as Omit<Tick, 'samples'>), samples: decoder.decode(s) } }
    })
  }

  /** Forgets decoded chunks (the next seek decodes from the file's bytes again). */
  dropCache(): void {
    this.cache.clear()
    this.cursor = null
  }

  /** Every record in order. */
  *records(): Generator<ReplayRecord> {
    for (let i = 0; i < this.chunks.length; i++) yield* this.chunk(i)
  }

  *ticks(): Generator<Tick> {
    for (const r of this.records()) if (r.k === 'tick') yield r.tick
  }

  /** Index of the first chunk that starts after t (chunks are in time order): a binary search over the index. */
  private firstAfter(t: number): number {
    let lo = 0
    let hi = this.chunks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.chunks[mid].t0 > t) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  /** Index of the last keyframe chunk that starts at or before t (the first chunk when t is earlier). */
  keyChunkFor(t: number): number {
    for (let i = this.firstAfter(t) - 1; i >= 0; i--) if (this.chunks[i].kind === 'K') return i
    return this.chunks.findIndex((c) => c.kind === 'K')
  }

  /** The session as views would have shown it at lab-clock time t: nearest keyframe, then the ticks up to t. */
  stateAt(t: number): SessionState {
    const k = this.keyChunkFor(t)
    if (k < 0) return new SessionState()
    let state: SessionState | null = null
    for (let i = k; i < this.chunks.length && this.chunks[i].t0 <= t; i++) {
      for (const r of this.chunk(i)) {
        if (r.k === 'key') state ??= SessionState.from(r.state)
        else if (!state) continue
        else if (r.k === 'tick') {
          if (r.tick.t > t) return state
          state.applyTick(r.tick)
        } else if (r.k === 'started') state.addStarted(r.item)
        else if (r.k === 'summary') state.addSummary(r.summary)
        else if (r.k === 'result') state.addResult(r.result)
      }
    }
    return state ?? new SessionState()
  }

  /** Ticks with from < t <= to, read from the chunks that can hold them only. */
  ticksBetween(from: number, to: number): Tick[] {
    const out: Tick[] = []
    // Chunks overlap in time only at their edges: start one before the first that begins after `from`.
    for (let i = Math.max(0, this.firstAfter(from) - 1); i < this.chunks.length; i++) {
      const c = this.chunks[i]
      if (c.t1 <= from) continue
      if (c.t0 > to) break
      for (const r of this.chunk(i)) if (r.k === 'tick' && r.tick.t > from && r.tick.t <= to) out.push(r.tick)
    }
    return out
  }
}
