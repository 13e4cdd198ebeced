// Exports of real recordings: the trace passes the schema check with every track named, and the CSV holds every sample.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkTrace } from '../../../shared/compare/trace-schema'
import { useLabs } from '../testing/lab-fixture'
import { recordingToCsv, recordingToTrace } from './export'
import { RecordingReader } from './reader'

const newLab = useLabs()

async function recordRun(scenario: string, params: Record<string, unknown>): Promise<RecordingReader> {
  const file = join(mkdtempSync(join(tmpdir(), 'plab-exp-')), 'run.plrec')
  const lab = newLab({ recording: { file } })
  const run = await lab.start({ scenario, params })
  await lab.wait(run.id)
  await lab.close()
  return RecordingReader.open(file)
}

describe('export', () => {
  it('makes a Perfetto trace of a pool run: named tracks, CPU counters, state slices, logs and tasks on the worker thread', async () => {
    const r = await recordRun('executor', { mode: 'thread', workers: 2 })
    const trace = recordingToTrace(r)
    expect(checkTrace(trace)).toEqual([])
    const ev = trace.traceEvents
    const threadNames = ev.filter((e) => e.name === 'thread_name').map((e) => String(e.args?.name))
    expect(threadNames.some((n) => /worker.*\(tid \d+\)/.test(n))).toBe(true)
    expect(ev.some((e) => e.name === 'process_name' && e.pid === process.pid)).toBe(true)
    expect(ev.some((e) => e.ph === 'C' && /CPU %$/.test(e.name) && typeof e.args?.cpu === 'number')).toBe(true)
    expect(ev.some((e) => e.ph === 'X' && e.cat === 'state' && e.name === 'running')).toBe(true)
    const task = ev.find((e) => e.cat === 'task')
    expect(task?.name).toMatch(/count #\d+/)
    // The task sits on a worker thread's lane, which is named.
    expect(
      ev.some(
        (e) =>
          e.name === 'thread_name' && e.pid === task?.pid && e.tid === task?.tid && /worker/.test(String(e.args?.name)),
      ),
    ).toBe(true)
    expect(ev.some((e) => e.ph === 'i' && e.cat === 'log.out' && /task1: 5/.test(e.name))).toBe(true)
  })

  it('writes a CSV row per unit per tick with every sample field', async () => {
    const r = await recordRun('counters', { mode: 'process' })
    const csv = recordingToCsv(r).trim().split('\n')
    expect(csv[0].startsWith('t_ms,seq,unit,label,kind,pid,tid,state,cpu,cpuSeconds,rss')).toBe(true)
    const samples = [...r.ticks()].reduce((n, t) => n + t.samples.length, 0)
    expect(csv.length - 1).toBe(samples)
    expect(csv.some((l) => l.includes(',process,'))).toBe(true)
  })
})
