// The session recording format: header, chunk frames and the records inside them (pure data, no I/O).
import type { LabEvent, LogLine, RunInfo, RunSummary, Sample, Tick, Unit } from '../model'
import type { EncodedTickSamples } from './sample-codec'

/**
 * File layout (see the README, "Sessions"):
 *   line 1: `PARALLEL-LAB-RECORDING <header JSON>\n` (plain text, so `head -1` tells what a file is)
 *   then frames, each a 36-byte frame head followed by the chunk's records (version 3: blocks of varints and, when
 *   needed, some JSON, deflated in keyframes; before, all JSON, deflated).
 * A chunk is flushed about once a second; every few seconds one starts with a keyframe, which a group decodes from.
 */
export const MAGIC = 'PARALLEL-LAB-RECORDING'
export const FORMAT_VERSION = 3
export const FILE_EXTENSION = '.plrec'
/** History a replayed or rewound instant is drawn with (charts and timelines look back this far). */
export const FRAME_HISTORY_MS = 60_000

/**
 * Frame head: "PLC" + kind byte, u32 body length, f64 first t, f64 last t, u32 first seq, f32 peak CPU, u32 CRC-32 of
 * the body. Little-endian. Versions 1 and 2: the body is raw deflate; a D chunk's is deflated with the chunk before
 * it (uncompressed) as the preset dictionary, so a keyframe group inflates from its K chunk on. From version 2, a K
 * or D body starts with its ticks' times, uncompressed (u32 count, then f64 each) before the deflated part: opening a
 * file lists every tick's time without inflating anything. Version 1 files (no times) are still read.
 *
 * Version 3, after the times: u32 m, then m bytes of the keyframe's units as raw-deflated JSON (m = 0 in a D chunk),
 * then a byte (1: what follows is raw-deflated, no preset dictionary; 0: it is not) and the records: u32 n, n bytes
 * of blocks (the key record's latest samples, then per tick its own fields and its samples, in record order: see
 * BinarySampleEncoder), then the ChunkBody as JSON, or nothing when the chunk holds ticks only and brings no new
 * names, strings or literals. A K chunk is always deflated; a D chunk only when its JSON part is long.
 */
export const FRAME_HEAD_BYTES = 36
export const FRAME_MAGIC = 'PLC'
/** K = data chunk that opens with a keyframe, D = data chunk, E = end (clean close). */
export type FrameKind = 'K' | 'D' | 'E'

/** The machine a session ran on. */
export interface MachineInfo {
  cores: number
  cpuModel: string
  os: string
  kernel: string
  arch: string
  node: string
  python: string | null
  hostname: string
  memTotal: number
}

/** What was started: a scenario run, a watched program, a comparison (several may share one session). */
export interface StartedItem {
  kind: 'run' | 'watch' | 'compare'
  /** Scenario id, the watched command line, or the comparison's workload. */
  what: string
  runId: string | null
  params: Record<string, unknown>
  /** Lab-clock ms. */
  t: number
}

export interface RecordingHeader {
  magic: typeof MAGIC
  version: number
  /** Wall clock ISO time of the session's first tick (lab clock t0 of the recording maps to it). */
  startedAt: string
  /** Lab-clock ms when recording began (ticks carry lab-clock t). */
  labT0: number
  /** Who recorded: the desktop app, the browser mode, the CLI. */
  source: string
  intervalMs: number
  keyframeEveryMs: number
  machine: MachineInfo
  collector: string
  labPid: number
  platform: string
}

/** Everything views hold at one instant; keyframes carry it so a seek starts there instead of at the file's start. */
export interface SessionStateData {
  t: number
  seq: number
  units: Unit[]
  /** Latest sample of every live unit. */
  latest: Sample[]
  runs: RunInfo[]
  /** State transitions per unit (bounded), for timelines. */
  transitions: Record<string, { t: number; state: Unit['state'] }[]>
  /** Newest log lines per run (bounded). */
  logs: LogLine[]
  /** Marks, run events and pool task events (bounded), in order. */
  events: LabEvent[]
  started: StartedItem[]
  summaries: RunSummary[]
  results: RecordedResult[]
  /** Last tick without its samples, units, logs and events (machine, sampler and any field the lab adds). */
  tickRest: Record<string, unknown> | null
}

/** A comparison's result or other end-of-work payload kept verbatim. */
export interface RecordedResult {
  kind: 'compare'
  t: number
  value: unknown
}

/**
 * Samples, columnar (versions 1 and 2 as JSON in the tick record's `s`, version 3 as bytes beside the JSON): `fields` names every (flattened) sample field seen since the group's keyframe; a tick's samples are
 * {u: unit indexes, m: presence masks, c: per field the values of the samples that have it}. Numbers are stored as round(v * 100), as deltas
 * against the same unit's previous value of that field since the keyframe (or as they are, for a field whose
 * values were smaller than its deltas in the chunk before), so a group decodes from its keyframe.
 */
export type ChunkRecord =
  | { k: 'key'; state: SessionStateData }
  | { k: 'tick'; tick: Record<string, unknown> & { s?: EncodedTickSamples } }
  | { k: 'started'; item: StartedItem }
  | { k: 'summary'; summary: RunSummary }
  | { k: 'result'; result: RecordedResult }

/**
 * A chunk's body: the sample field and unit names new in this chunk (appended to those of the chunks before it since
 * its group's keyframe), then its records in order.
 */
export interface ChunkBody {
  fields: string[]
  ids: string[]
  /** Per field of the group so far, "1" where this chunk stores values as they are rather than as deltas. */
  raw?: string
  /** Version 3: the ticks' own field names new in this chunk (their blocks' dictionary, as `fields` is the samples'). */
  tfields?: string[]
  /** Version 3: strings new in this chunk (appended to the group's string dictionary), and the chunk's literals. */
  strs?: string[]
  lits?: unknown[]
  records: ChunkRecord[]
}

/** Written as the last frame on a clean close: what the sessions list shows without reading the rest. */
export interface EndRecord {
  endedAt: string
  durationMs: number
  ticks: number
  peakCpu: number
  started: StartedItem[]
}

export type { Sample, Tick }

/** One recording as the Sessions view lists it. */
export interface SessionInfo {
  /** File name in the sessions folder: the id commands take. */
  name: string
  bytes: number
  startedAt: string
  durationMs: number
  peakCpu: number
  /** What ran, e.g. "counters, watch python3 x.py". */
  what: string
  started: StartedItem[]
  /** Closed cleanly (false: still being written, or the lab stopped without closing it). */
  complete: boolean
  /** Why it could not be read or stops early, one sentence. */
  problem: string | null
  /** True while the lab is writing it. */
  live: boolean
}

/** What opening a recording tells a view: its span and every tick's time, for the scrubber. */
export interface ReplayInfo {
  session: SessionInfo
  header: RecordingHeader
  /** Lab-clock ms of the first and last tick. */
  startT: number
  endT: number
  tickTimes: number[]
}

/** The state at `base.t`, then the ticks after it up to the asked instant: applied in order, views show that instant with its history. */
export interface ReplayFrame {
  base: SessionStateData
  ticks: Tick[]
}

/** A recording's totals for comparing two sessions. */
export interface SessionTotals {
  name: string
  what: string
  wallMs: number
  /** CPU seconds of every process (threads are inside their process). */
  cpuSeconds: number
  peakCpu: number
  peakRss: number
  /** CPU % per top-level process over time (t from the session's start, ms), and per thread. */
  series: { id: string; label: string; kind: string; points: [number, number][] }[]
}
