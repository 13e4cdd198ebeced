// Writes one session recording: append-only to its final name, a deflated chunk about once a second, keyframes every few seconds.
import { closeSync, fsyncSync, mkdirSync, openSync, write } from 'node:fs'
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
import { BinarySampleEncoder, ByteWriter, SampleEncoder } from '../../../shared/recording/sample-codec'
import { SessionState } from '../../../shared/recording/session-state'
import { deflateChunk, encodeFrameHead, headerLine, tickIndexBytes } from './frame'

export const FLUSH_MS = 1000
export const KEYFRAME_EVERY_MS = 10_000

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
}

export interface WriterOptions {
  flushMs?: number
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
  private encoder: BinarySampleEncoder | SampleEncoder
  /** Sample bytes of the open chunk, reused by every keyframe group's encoder (a chunk allocates no buffer). */
  private readonly bytesOut = new ByteWriter()
  /** The last chunk's uncompressed body: the next chunk of its group is deflated against it. */
  private prevBody: Buffer | null = null
  private lastKeyT = -Infinity
  /** The last keyframe's units, and their deflated JSON (see unitsPart). */
  private lastUnits: { units: Unit[]; gz: Buffer } | null = null
  private queue: Promise<void> = Promise.resolve()
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
    this.encoder = this.newEncoder()
    mkdirSync(dirname(file), { recursive: true })
    this.fd = openSync(file, 'w')
    const head = headerLine(header)
    this.writeNow(head)
    this.state.seed(header.labT0, initial.units, initial.runs)
    this.timer = setInterval(() => this.flush(), opts.flushMs ?? FLUSH_MS)
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
        enc.encode(samples)
        chunk.records.push({ k: 'tick', tick: rest })
      } else chunk.records.push({ k: 'tick', tick: { ...rest, s: enc.encode(samples) } })
      chunk.times.push(tick.t)
      this.state.applyTick(tick)
      let total = 0
      for (const s of samples) if (s.cpu !== null && this.state.units.get(s.id)?.kind !== 'thread') total += s.cpu
      chunk.peak = Math.max(chunk.peak, total)
      this.peakCpu = Math.max(this.peakCpu, total)
      this.ticks++
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
    this.open(t, this.state.seq + 1).records.push(rec)
    fold()
  }

  /** The chunk records go to; a new one opens with a keyframe when the last is old enough. */
  private open(t: number, seq: number): OpenChunk {
    if (this.chunk) {
      this.chunk.t1 = Math.max(this.chunk.t1, t)
      return this.chunk
    }
    const key = t - this.lastKeyT >= KEYFRAME_EVERY_MS
    if (key) this.encoder = this.newEncoder()
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
   * Seals the open chunk: deflated here, then appended in order. Deflating in place costs less CPU in all than
   * zlib's thread pool (a stream object per chunk, and the hand-over): about a second of ticks is a few KB, so the
   * event loop holds for a fraction of a millisecond (bench:record counts it in the recording's cost per tick). This
   * one deflate a second is the largest part of what recording costs now, about a third in a profile (see
   * DEFLATE_LEVEL).
   */
  flush(): void {
    const chunk = this.chunk
    const fd = this.fd
    if (!chunk || fd === null || this.failed) return
    this.chunk = null
    try {
      const payload = this.payload(chunk)
      const gz = deflateChunk(payload, chunk.kind === 'K' ? null : this.prevBody)
      this.prevBody = payload
      const v = this.header.version
      const index = v >= 2 ? tickIndexBytes(chunk.times) : null
      const units = v >= 3 ? this.unitsPart(chunk.units) : null
      // One buffer for the frame: head, tick index, units part (u32 length, then its bytes), deflated records.
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
      this.queue = this.queue.then(() => writeAll(fd, frame)).catch((err: Error) => this.fail(err))
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

  private newEncoder(): BinarySampleEncoder | SampleEncoder {
    return this.header.version >= 3 ? new BinarySampleEncoder(this.bytesOut) : new SampleEncoder()
  }

  /** What a chunk's body deflates: from version 3, u32 n, n bytes of sample blocks, then the JSON; before, the JSON. */
  private payload(chunk: OpenChunk): Buffer {
    const enc = chunk.encoder
    const { fields, ids, raw } = enc.takeNew()
    enc.nextChunk()
    if (!(enc instanceof BinarySampleEncoder))
      return Buffer.from(JSON.stringify({ fields, ids, raw, records: chunk.records } satisfies ChunkBody), 'utf8')
    const { bytes, strs, lits } = enc.takeChunk()
    const body: ChunkBody = { fields, ids, raw, strs, lits, records: chunk.records }
    const json = Buffer.from(JSON.stringify(body), 'utf8')
    const out = Buffer.allocUnsafe(4 + bytes.length + json.length)
    out.writeUInt32LE(bytes.length, 0)
    out.set(bytes, 4)
    json.copy(out, 4 + bytes.length)
    return out
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
    this.queue = this.queue.then(() => writeAll(this.fd!, buf)).catch((err: Error) => this.fail(err))
    this.bytes += buf.length
  }

  private fail(err: Error): void {
    if (this.failed) return
    this.failed = err
    clearInterval(this.timer)
    this.opts.onError?.(err)
  }
}
