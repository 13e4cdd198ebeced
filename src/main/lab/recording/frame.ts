// Byte layout of the recording's header line and chunk frames (writing and reading them).
import { deflateRaw, inflateRawSync } from 'node:zlib'
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

/** Chunk bodies: raw deflate, with the chunk before as the preset dictionary when there is one in the group. */
export function deflateChunk(body: Buffer, dictionary: Buffer | null): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    deflateRaw(body, dictionary ? { dictionary } : {}, (err, out) => (err ? reject(err) : resolve(out))),
  )
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
