// Writes one session recording: append-only to its final name, a deflated chunk about once a second, keyframes every few seconds.
import { closeSync, fsyncSync, mkdirSync, openSync, write } from 'node:fs'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'
import type { RunInfo, RunSummary, Tick, Unit } from '../../../shared/model'
import type {
  ChunkBody,
  ChunkRecord,
  EndRecord,
  FrameKind,
  RecordedResult,
  RecordingHeader,
  StartedItem,
} from '../../../shared/recording/format'
import { SampleEncoder } from '../../../shared/recording/sample-codec'
import { SessionState } from '../../../shared/recording/session-state'
import { deflateChunk, encodeFrameHead, headerLine, tickIndexBytes } from './frame'

export const FLUSH_MS = 1000
export const KEYFRAME_EVERY_MS = 10_000

interface OpenChunk {
  kind: FrameKind
  encoder: SampleEncoder
  records: ChunkRecord[]
  t0: number
  t1: number
  seq0: number
  peak: number
  /** Lab-clock times of the chunk's ticks (written uncompressed before the body in format version 2). */
  times: number[]
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
  private encoder = new SampleEncoder()
  /** The last chunk's uncompressed body: the next chunk of its group is deflated against it. */
  private prevBody: Buffer | null = null
  private lastKeyT = -Infinity
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
      chunk.records.push({ k: 'tick', tick: { ...rest, s: chunk.encoder.encode(samples) } })
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
    if (key) this.encoder = new SampleEncoder()
    const chunk: OpenChunk = {
      kind: key ? 'K' : 'D',
      encoder: this.encoder,
      records: [],
      t0: t,
      t1: t,
      seq0: seq,
      peak: 0,
      times: [],
    }
    if (key) {
      chunk.records.push({ k: 'key', state: this.state.toData() })
      this.lastKeyT = t
    }
    this.chunk = chunk
    return chunk
  }

  /**
   * Seals the open chunk: deflated here, then appended in order. Deflating in place costs less CPU in all than
   * zlib's thread pool (a stream object per chunk, and the hand-over): about a second of ticks is a few KB, so the
   * event loop holds for a fraction of a millisecond (bench:record counts it in the recording's cost per tick).
   */
  flush(): void {
    const chunk = this.chunk
    const fd = this.fd
    if (!chunk || fd === null || this.failed) return
    this.chunk = null
    try {
      const records: ChunkBody = { ...chunk.encoder.takeNew(), records: chunk.records }
      chunk.encoder.nextChunk()
      const json = Buffer.from(JSON.stringify(records), 'utf8')
      const gz = deflateChunk(json, chunk.kind === 'K' ? null : this.prevBody)
      this.prevBody = json
      const body = this.header.version >= 2 ? Buffer.concat([tickIndexBytes(chunk.times), gz]) : gz
      const head = encodeFrameHead({
        kind: chunk.kind,
        length: body.length,
        t0: chunk.t0,
        t1: chunk.t1,
        seq0: chunk.seq0,
        peakCpu: chunk.peak,
        crc: crc32(body),
      })
      this.bytes += head.length + body.length
      const frame = Buffer.concat([head, body])
      this.queue = this.queue.then(() => writeAll(fd, frame)).catch((err: Error) => this.fail(err))
    } catch (err) {
      this.fail(err as Error)
    }
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
