// Writes one session recording: append-only to its final name, a chunk about once a second, keyframes every few seconds.
import { closeSync, fsyncSync, mkdirSync, openSync, write, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'
import type { RunInfo, RunSummary, Tick, Unit } from '../../../shared/model'
import {
  FRAME_HEAD_BYTES,
  type ChunkBody,
  type ChunkRecord,
  type EndRecord,
  type FrameKind,
  type RecordedResult,
  type RecordingHeader,
  type StartedItem,
} from '../../../shared/recording/format'
import { BinarySampleEncoder, ByteWriter, GroupTables, SampleEncoder } from '../../../shared/recording/sample-codec'
import { SessionState } from '../../../shared/recording/session-state'
import { deflateChunk, encodeFrameHead, headerLine, tickIndexBytes } from './frame'

export const FLUSH_MS = 1000
export const KEYFRAME_EVERY_MS = 10_000
/** A frame written in place that took this long makes the writer hand every later frame to the thread pool. */
export const SLOW_WRITE_MS = 20
/** What no tick flushed is flushed after this many FLUSH_MS. */
const FLUSH_FALLBACK_TIMES = 5

interface OpenChunk {
  kind: FrameKind
  /** Format version 3 writes samples as bytes; versions 1 and 2 (still written on request, for tests) as JSON. */
  encoder: BinarySampleEncoder | SampleEncoder
  records: ChunkRecord[]
  t0: number
  t1: number
  seq0: number
  peak: number
  /** Lab-clock times of the chunk's ticks (written uncompressed before the body in format version 2). */
  times: number[]
  /** Version 3, keyframe chunks: the state's units, written in a part of their own (see unitsPart). */
  units: Unit[] | null
  /** Version 3: the group's encoder of the ticks' own fields, and what it shares with the samples' encoder. */
  ticks: BinarySampleEncoder | null
  tables: GroupTables | null
  /** Holds records other than ticks (version 3 then lists its records in the chunk's JSON part). */
  other: boolean
}

/** Where a version 3 tick record stands in a chunk's JSON part (its fields and samples are in the blocks). */
const TICK_RECORD: ChunkRecord = Object.freeze({ k: 'tick', tick: Object.freeze({}) })

/**
 * Version 3: a data chunk is deflated only when its JSON part is longer than this (log lines, events, units that
 * changed): its blocks are compact already, and deflating a second of them costs more CPU than all the rest of
 * recording that second (zlib's cost per call; see DEFLATE_LEVEL). Keyframe chunks are always deflated.
 */
const DEFLATE_JSON_OVER = 1024

export interface WriterOptions {
  flushMs?: number
  /** A frame written in place that took this long sends every later one through the thread pool (SLOW_WRITE_MS). */
  slowWriteMs?: number
  /** Called once if writing fails (disk full, folder removed): recording stops, the session goes on. */
  onError?: (err: Error) => void
}

const writeAll = (fd: number, buf: Buffer): Promise<void> =>
  new Promise((resolve, reject) => {
    const step = (from: number): void =>
      write(fd, buf, from, buf.length - from, null, (err, n) =>
        err ? reject(err) : from + n < buf.length ? step(from + n) : resolve(),
      )
    step(0)
  })

/**
 * Append-only to the final file name, never a temporary one renamed at the end: every byte on disk is a readable
 * recording at any moment, so a crash or SIGKILL leaves a session that opens (up to its last flushed second) instead
 * of a stray partial file, and a clean close only appends the end frame.
 */
export class RecordingWriter {
  readonly state = new SessionState()
  private fd: number | null
  private chunk: OpenChunk | null = null
  private encoder: BinarySampleEncoder | SampleEncoder = new SampleEncoder()
  /** Version 3: the encoder of the ticks' own fields and the tables both encoders of the group share. */
  private tickEncoder: BinarySampleEncoder | null = null
  private tables: GroupTables | null = null
  /** Sample bytes of the open chunk, reused by every keyframe group's encoder (a chunk allocates no buffer). */
  private readonly bytesOut = new ByteWriter()
  /** The last chunk's uncompressed body: the next chunk of its group is deflated against it. */
  private prevBody: Buffer | null = null
  private lastKeyT = -Infinity
  /** The last keyframe's units, and their deflated JSON (see unitsPart). */
  private lastUnits: { units: Unit[]; gz: Buffer } | null = null
  private queue: Promise<void> = Promise.resolve()
  /** A frame's write held the lab's thread for SLOW_WRITE_MS: frames go through the thread pool from then on. */
  private slowDisk = false
  private readonly timer: NodeJS.Timeout
  private failed: Error | null = null
  private ticks = 0
  private peakCpu = 0
  private bytes = 0

  constructor(
    readonly file: string,
    readonly header: RecordingHeader,
    initial: { units: readonly Unit[]; runs: readonly RunInfo[] },
    private readonly opts: WriterOptions = {},
  ) {
    this.newGroup()
    mkdirSync(dirname(file), { recursive: true })
    this.fd = openSync(file, 'w')
    const head = headerLine(header)
    this.writeNow(head)
    this.state.seed(header.labT0, initial.units, initial.runs)
    // Ticks flush what is due as they come (see addTick); the timer only catches what no tick followed (a run's
    // summary as the lab closes). A timer of its own each second would wake the lab for nothing between two ticks.
    this.timer = setInterval(() => this.flush(), FLUSH_FALLBACK_TIMES * (opts.flushMs ?? FLUSH_MS))
    this.timer.unref()
  }

  get size(): number {
    return this.bytes
  }

  get error(): Error | null {
    return this.failed
  }

  addTick(tick: Tick): void {
    if (this.fd === null || this.failed) return
    try {
      const chunk = this.open(tick.t, tick.seq)
      const { samples, ...rest } = tick
      const enc = chunk.encoder
      if (enc instanceof BinarySampleEncoder) {
        chunk.ticks!.encodeTick(rest)
        enc.encode(samples)
        chunk.records.push(TICK_RECORD)
      } else chunk.records.push({ k: 'tick', tick: { ...rest, s: enc.encode(samples) } })
      chunk.times.push(tick.t)
      this.state.applyTick(tick)
      const total = this.state.cpu
      chunk.peak = Math.max(chunk.peak, total)
      this.peakCpu = Math.max(this.peakCpu, total)
      this.ticks++
      if (tick.t - chunk.t0 >= (this.opts.flushMs ?? FLUSH_MS)) this.flush()
    } catch (err) {
      this.fail(err as Error)
    }
  }

  addStarted(item: StartedItem): void {
    this.push({ k: 'started', item }, item.t, () => this.state.addStarted(item))
  }

  addSummary(summary: RunSummary, t: number): void {
    this.push({ k: 'summary', summary }, t, () => this.state.addSummary(summary))
  }

  addResult(result: RecordedResult): void {
    this.push({ k: 'result', result }, result.t, () => this.state.addResult(result))
  }

  private push(rec: ChunkRecord, t: number, fold: () => void): void {
    if (this.fd === null || this.failed) return
    const chunk = this.open(t, this.state.seq + 1)
    chunk.records.push(rec)
    chunk.other = true
    fold()
  }

  /** The chunk records go to; a new one opens with a keyframe when the last is old enough. */
  private open(t: number, seq: number): OpenChunk {
    if (this.chunk) {
      this.chunk.t1 = Math.max(this.chunk.t1, t)
      return this.chunk
    }
    const key = t - this.lastKeyT >= KEYFRAME_EVERY_MS
    if (key) this.newGroup()
    const chunk: OpenChunk = {
      kind: key ? 'K' : 'D',
      encoder: this.encoder,
      records: [],
      t0: t,
      t1: t,
      seq0: seq,
      peak: 0,
      times: [],
      units: null,
      ticks: this.tickEncoder,
      tables: this.tables,
      other: key,
    }
    if (key) {
      const state = this.state.toData()
      // Version 3: the latest samples go in the chunk's first sample block, coded like a tick's (a keyframe is mostly
      // them and the units: as JSON they cost more to write and deflate than the second of ticks after them).
      if (chunk.encoder instanceof BinarySampleEncoder) {
        chunk.encoder.encode(state.latest)
        state.latest = []
        chunk.units = state.units
        state.units = []
      }
      chunk.records.push({ k: 'key', state })
      this.lastKeyT = t
    }
    this.chunk = chunk
    return chunk
  }

  /**
   * Seals the open chunk and appends it in order. Version 3 deflates keyframe chunks and text-heavy ones only (see
   * DEFLATE_JSON_OVER): a second of blocks is a few hundred bytes, cheaper to write as it is than to deflate. Where
   * it deflates, it does so here: in place costs less CPU in all than zlib's thread pool (a stream object per chunk
   * and the hand-over), and the event loop holds for a fraction of a millisecond (bench:record counts it).
   */
  flush(): void {
    const chunk = this.chunk
    const fd = this.fd
    if (!chunk || fd === null || this.failed) return
    this.chunk = null
    try {
      const gz = this.payload(chunk)
      const v = this.header.version
      const index = v >= 2 ? tickIndexBytes(chunk.times) : null
      const units = v >= 3 ? this.unitsPart(chunk.units) : null
      // One buffer for the frame: head, tick index, units part (u32 length, then its bytes), records.
      const bodyLength = (index?.length ?? 0) + (units ? 4 + units.length : 0) + gz.length
      const frame = Buffer.allocUnsafe(FRAME_HEAD_BYTES + bodyLength)
      let at = FRAME_HEAD_BYTES
      if (index) at += index.copy(frame, at)
      if (units) {
        at = frame.writeUInt32LE(units.length, at)
        at += units.copy(frame, at)
      }
      gz.copy(frame, at)
      const body = frame.subarray(FRAME_HEAD_BYTES)
      encodeFrameHead({
        kind: chunk.kind,
        length: body.length,
        t0: chunk.t0,
        t1: chunk.t1,
        seq0: chunk.seq0,
        peakCpu: chunk.peak,
        crc: crc32(body),
      }).copy(frame, 0)
      this.bytes += frame.length
      this.append(fd, frame)
    } catch (err) {
      this.fail(err as Error)
    }
  }

  /**
   * Version 3: a keyframe's units as deflated JSON, apart from the rest of the chunk (empty in other chunks). Units
   * seldom change between keyframes, and they are most of a keyframe: when they are those of the last keyframe, its
   * deflated bytes are written again instead of deflating the same text every 10 s.
   */
  private unitsPart(units: Unit[] | null): Buffer {
    if (!units) return Buffer.alloc(0)
    const last = this.lastUnits
    // Ticks carry fresh copies of the units that changed (and the initial list is a copy): the same objects in the
    // same order are the same units, so comparing them spares writing 3,000 units to JSON every 10 s to compare that.
    if (last && last.units.length === units.length && last.units.every((u, i) => u === units[i])) return last.gz
    this.lastUnits = { units, gz: deflateChunk(Buffer.from(JSON.stringify(units), 'utf8'), null) }
    return this.lastUnits.gz
  }

  /** A keyframe group's encoders: its dictionaries and deltas start afresh. */
  private newGroup(): void {
    if (this.header.version < 3) {
      this.encoder = new SampleEncoder()
      return
    }
    this.tables = new GroupTables(this.bytesOut)
    this.encoder = new BinarySampleEncoder(this.tables)
    this.tickEncoder = new BinarySampleEncoder(this.tables, true)
  }

  /**
   * What a chunk's body holds after its tick index and units part. Version 3: a byte (1: deflated, 0: not), then u32
   * n, n bytes of blocks, then the JSON part when the chunk needs one (new names, strings or literals, records other
   * than ticks). Versions 1 and 2: the records as JSON, deflated against the chunk before.
   */
  private payload(chunk: OpenChunk): Buffer {
    const enc = chunk.encoder
    const { fields, ids, raw } = enc.takeNew()
    enc.nextChunk()
    if (!(enc instanceof BinarySampleEncoder)) {
      const json = Buffer.from(JSON.stringify({ fields, ids, raw, records: chunk.records } satisfies ChunkBody), 'utf8')
      const gz = deflateChunk(json, chunk.kind === 'K' ? null : this.prevBody)
      this.prevBody = json
      return gz
    }
    const ticks = chunk.ticks!
    const tfields = ticks.takeNew().fields
    ticks.nextChunk()
    const { bytes, strs, lits } = chunk.tables!.takeChunk()
    const needJson = chunk.other || fields.length + ids.length + tfields.length + strs.length + lits.length > 0
    const body: ChunkBody = { fields, ids, tfields, strs, lits, records: chunk.records }
    const json = needJson ? Buffer.from(JSON.stringify(body), 'utf8') : null
    const jsonLength = json?.length ?? 0
    const deflate = chunk.kind === 'K' || jsonLength > DEFLATE_JSON_OVER
    const out = Buffer.allocUnsafe(5 + bytes.length + jsonLength)
    out[0] = 0
    out.writeUInt32LE(bytes.length, 1)
    out.set(bytes, 5)
    json?.copy(out, 5 + bytes.length)
    if (!deflate) return out
    const gz = deflateChunk(out.subarray(1), null)
    const flagged = Buffer.allocUnsafe(1 + gz.length)
    flagged[0] = 1
    gz.copy(flagged, 1)
    return flagged
  }

  /** Flushes, appends the end frame and closes. Safe to call twice. */
  async close(): Promise<EndRecord | null> {
    if (this.fd === null) return null
    clearInterval(this.timer)
    this.flush()
    await this.queue
    const fd = this.fd
    this.fd = null
    if (this.failed) {
      closeSync(fd)
      return null
    }
    const end: EndRecord = {
      endedAt: new Date().toISOString(),
      durationMs: Math.max(0, this.state.t - this.header.labT0),
      ticks: this.ticks,
      peakCpu: this.peakCpu,
      started: this.state.started,
    }
    try {
      const gz = deflateChunk(Buffer.from(JSON.stringify(end), 'utf8'), null)
      const head = encodeFrameHead({
        kind: 'E',
        length: gz.length,
        t0: this.state.t,
        t1: this.state.t,
        seq0: this.state.seq + 1,
        peakCpu: this.peakCpu,
        crc: crc32(gz),
      })
      await writeAll(fd, Buffer.concat([head, gz]))
      this.bytes += head.length + gz.length
      fsyncSync(fd)
    } catch (err) {
      this.fail(err as Error)
    } finally {
      closeSync(fd)
    }
    return end
  }

  private writeNow(buf: Buffer): void {
    try {
      this.append(this.fd!, buf)
      this.bytes += buf.length
    } catch (err) {
      this.fail(err as Error)
    }
  }

  /**
   * Appends a frame (a few hundred bytes to a few KB, about one a second). In place while writes are quick: into the
   * page cache that takes microseconds, where handing it to libuv's thread pool wakes a pool thread and then the
   * lab's thread again once it is done, which cost the lab more CPU than all the rest of recording (see the README's
   * cost figures). From the first write that held the lab's thread for SLOW_WRITE_MS or more (a slow or network
   * disk), every later frame goes through the thread pool, in order. A failed write throws to the caller, which stops
   * the recording.
   */
  private append(fd: number, frame: Buffer): void {
    if (this.slowDisk) {
      this.queue = this.queue.then(() => writeAll(fd, frame)).catch((err: Error) => this.fail(err))
      return
    }
    const t0 = performance.now()
    for (let from = 0; from < frame.length;) from += writeSync(fd, frame, from, frame.length - from)
    if (performance.now() - t0 >= (this.opts.slowWriteMs ?? SLOW_WRITE_MS)) this.slowDisk = true
  }

  private fail(err: Error): void {
    if (this.failed) return
    this.failed = err
    clearInterval(this.timer)
    this.opts.onError?.(err)
  }
}
