// Byte layout of the recording's header line and chunk frames (writing and reading them).
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import {
  FRAME_HEAD_BYTES,
  FRAME_MAGIC,
  MAGIC,
  type FrameKind,
  type RecordingHeader,
} from '../../../shared/recording/format'

export interface FrameHead {
  kind: FrameKind
  length: number
  t0: number
  t1: number
  seq0: number
  peakCpu: number
  crc: number
}

/**
 * Deflate level of chunk bodies: 3 costs about half of the default 6's CPU per tick for a few percent more bytes
 * (measured by bench:record). For a second of ticks (about 1.5 KB for 64 units) a call's cost is mostly zlib's own (a
 * context, its 256 KB of state, the stream object around it): level 1, a 4 KB window, a smaller hash, a smaller
 * output chunk or no preset dictionary all measured the same CPU per tick within noise, and Node has no synchronous
 * way to keep one deflate stream across chunks (its async stream cost more CPU per chunk). That one call a second
 * was a third of what recording cost: format 3 deflates keyframes (every 10 s) and text-heavy chunks only.
 */
export const DEFLATE_LEVEL = 3

/** Chunk bodies: raw deflate, with the chunk before as the preset dictionary when there is one (versions 1 and 2). */
export function deflateChunk(body: Buffer, dictionary: Buffer | null): Buffer {
  return deflateRawSync(body, dictionary ? { dictionary, level: DEFLATE_LEVEL } : { level: DEFLATE_LEVEL })
}

/** Version 2 data frames start with their ticks' times (u32 count, then f64 each): opening reads them uninflated. */
export function tickIndexBytes(times: readonly number[]): Buffer {
  const b = Buffer.alloc(4 + times.length * 8)
  b.writeUInt32LE(times.length, 0)
  times.forEach((t, i) => b.writeDoubleLE(t, 4 + i * 8))
  return b
}

/** The tick times at the start of a version 2 frame body and where its deflated part begins; null when damaged. */
export function readTickIndex(body: Buffer): { times: number[]; dataAt: number } | null {
  if (body.length < 4) return null
  const n = body.readUInt32LE(0)
  if (4 + n * 8 > body.length) return null
  const times: number[] = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    times[i] = body.readDoubleLE(4 + i * 8)
    if (!Number.isFinite(times[i])) return null
  }
  return { times, dataAt: 4 + n * 8 }
}

export function inflateChunk(bytes: Buffer, dictionary: Buffer | null): Buffer {
  return inflateRawSync(bytes, dictionary ? { dictionary } : {})
}

export function headerLine(header: RecordingHeader): Buffer {
  return Buffer.from(`${MAGIC} ${JSON.stringify(header)}\n`, 'utf8')
}

export function encodeFrameHead(h: FrameHead): Buffer {
  const b = Buffer.alloc(FRAME_HEAD_BYTES)
  b.write(FRAME_MAGIC + h.kind, 0, 'latin1')
  b.writeUInt32LE(h.length, 4)
  b.writeDoubleLE(h.t0, 8)
  b.writeDoubleLE(h.t1, 16)
  b.writeUInt32LE(Math.max(0, h.seq0) >>> 0, 24)
  b.writeFloatLE(h.peakCpu, 28)
  b.writeUInt32LE(h.crc >>> 0, 32)
  return b
}

/** Null when the bytes are not a frame head (damage, or the end of what was written). */
export function decodeFrameHead(b: Buffer): FrameHead | null {
  if (b.length < FRAME_HEAD_BYTES || b.toString('latin1', 0, 3) !== FRAME_MAGIC) return null
  const kind = b.toString('latin1', 3, 4)
  if (kind !== 'K' && kind !== 'D' && kind !== 'E') return null
  const h: FrameHead = {
    kind: kind as FrameKind,
    length: b.readUInt32LE(4),
    t0: b.readDoubleLE(8),
    t1: b.readDoubleLE(16),
    seq0: b.readUInt32LE(24),
    peakCpu: b.readFloatLE(28),
    crc: b.readUInt32LE(32),
  }
  return Number.isFinite(h.t0) && Number.isFinite(h.t1) ? h : null
}
