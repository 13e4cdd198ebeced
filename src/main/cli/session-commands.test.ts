// lab sessions / replay / export against real recorded runs: replay prints what run printed, in the same NDJSON.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkTrace } from '../../shared/compare/trace-schema'
import { runMain } from './testing/cli-fixture'

const dir = mkdtempSync(join(tmpdir(), 'plab-cli-rec-'))

describe('recorded sessions on the command line', () => {
  it('replays a run --json as the same tick and log lines the run printed', async () => {
    const file = join(dir, 'counters.plrec')
    const live = await runMain(['run', 'counters', '--mode', 'thread', '--interval', '100', '--json', '--record', file])
    expect(live.code).toBe(0)
    const replay = await runMain(['replay', file, '--json', '--fast'])
    expect(replay.code).toBe(0)
    const body = (lines: string[]): string[] => lines.filter((l) => !l.includes('"type":"summary"'))
    const replayed = body(replay.out)
    expect(replayed.length).toBeGreaterThan(3)
    // Ticks before the run started (and so before the recording began) are not in it: the rest match line for line.
    expect(body(live.out).slice(-replayed.length)).toEqual(replayed)
    const summary = JSON.parse(replay.out.at(-1)!) as {
      type: string
      ok: boolean
      units: { label: string; state: string }[]
    }
    expect(summary.type).toBe('summary')
    expect(summary.ok).toBe(true)
    expect(summary.units.map((u) => u.state)).toEqual(['exited', 'exited'])
  })

  it('replays as text with the log and summary, at a speed', async () => {
    const file = join(dir, 'text.plrec')
    await runMain(['run', 'counters', '--mode', 'process', '--interval', '100', '--record', file])
    const replay = await runMain(['replay', file, '--speed', '16'])
    expect(replay.code).toBe(0)
    expect(replay.out.filter((l) => /: [1-5]$/.test(l)).length).toBe(10)
    expect(replay.out.some((l) => l.startsWith('result: '))).toBe(true)
    expect((await runMain(['replay', file, '--speed', '0'])).err).toMatch(/--speed must be above 0/)
  })

  it('records into the sessions folder by default, lists it, and --no-record leaves nothing', async () => {
    const before = readdirSync(process.env.PARALLEL_LAB_SESSIONS_DIR!).length
    await runMain(['run', 'counters', '--mode', 'thread', '--interval', '100', '--no-record'])
    expect(readdirSync(process.env.PARALLEL_LAB_SESSIONS_DIR!).length).toBe(before)
    await runMain(['run', 'counters', '--mode', 'thread', '--interval', '100'])
    const names = readdirSync(process.env.PARALLEL_LAB_SESSIONS_DIR!)
    expect(names.length).toBe(before + 1)
    expect(names.every((n) => n.endsWith('.plrec'))).toBe(true)
    const list = await runMain(['sessions', '--json'])
    const rows = list.out.map((l) => JSON.parse(l) as { name: string; what: string; complete: boolean })
    expect(rows.some((r) => r.what === 'counters' && r.complete)).toBe(true)
    const named = rows.find((r) => r.what === 'counters')!.name
    expect((await runMain(['replay', named, '--fast'])).code).toBe(0)
  })

  it('exports a Perfetto trace that passes the schema check, and a CSV', async () => {
    const file = join(dir, 'exp.plrec')
    await runMain(['run', 'counters', '--mode', 'thread', '--interval', '100', '--record', file])
    const trace = join(dir, 'exp.json')
    const csv = join(dir, 'exp.csv')
    const res = await runMain(['export', file, '--trace', trace, '--csv', csv])
    expect(res.code).toBe(0)
    expect(checkTrace(JSON.parse(readFileSync(trace, 'utf8')))).toEqual([])
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toMatch(/^t_ms,seq,unit,/)
  })

  it('refuses what is not a recording, and missing files, in one sentence', async () => {
    const notOne = join(dir, 'x.json')
    writeFileSync(notOne, '{"a":1}')
    const res = await runMain(['replay', notOne, '--fast'])
    expect(res.code).toBe(2)
    expect(res.err.trim()).toBe(
      'lab: x.json is not a Parallel Lab recording (it does not start with the PARALLEL-LAB-RECORDING header).',
    )
    expect((await runMain(['export', join(dir, 'nope.plrec'), '--csv', join(dir, 'n.csv')])).err).toMatch(
      /There is no recording/,
    )
    expect(existsSync(join(dir, 'n.csv'))).toBe(false)
    expect((await runMain(['run', 'counters', '--record', join(dir, 'no/such/dir/x.plrec')])).err).toMatch(
      /--record: the folder .* does not exist/,
    )
  })
})
