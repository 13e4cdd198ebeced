// Converts a recording file: Chrome trace-event JSON for Perfetto, or a CSV of its samples.
import { samplesCsv, TraceBuilder } from '../../../shared/recording/trace-export'
import type { RecordingReader } from './reader'

export function recordingToTrace(r: RecordingReader): ReturnType<TraceBuilder['finish']> {
  const b = new TraceBuilder(r.header)
  let seeded = false
  for (const rec of r.records()) {
    if (rec.k === 'key' && !seeded) {
      b.seed(rec.state.units)
      seeded = true
    } else if (rec.k === 'tick') b.addTick(rec.tick)
  }
  const trace = b.finish()
  return { ...trace, metadata: { ...trace.metadata, complete: r.complete, problem: r.problem } }
}

export function recordingToCsv(r: RecordingReader): string {
  return samplesCsv(r.header, r.ticks())
}
