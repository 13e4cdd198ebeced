import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { checkTrace } from '../../shared/compare/trace-schema'
import { compareRequestFromArgs } from './compare-command'
import { main } from './index'

afterEach(() => vi.restoreAllMocks())

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = []
  let err = ''
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true))
  const code = await main(argv, (l) => out.push(l))
  return { code, out, err }
}

describe('lab compare', () => {
  it.each([
    [['--workload', 'gpu'], /--workload must be one of trivial, cpu, io, skewed, payload/],
    [['--strategies', 'seq,threads'], /--strategies must be a non-empty list/],
    [['--sizes', '0,2'], /--sizes must be/],
    [['--sizes', 'two'], /--sizes must be a number/],
    [['--tasks', '-3'], /--tasks must be a whole number/],
    [['--repeat'], /--repeat needs a value/],
    [['--task-ms', 'slow'], /--task-ms must be a number/],
    [['--colour', 'red'], /Unknown option --colour/],
  ])('%j exits 2 naming the argument', async (argv, message) => {
    const { code, err } = await run(['compare', ...argv])
    expect(code).toBe(2)
    expect(err).toMatch(message)
  })

  it('has defaults, and keeps each strategy and size once', () => {
    expect(compareRequestFromArgs([]).req).toEqual({
      workload: 'cpu',
      strategies: ['seq', 'thread', 'process', 'piscina'],
      sizes: [1, 2],
      tasks: 40,
      repeat: 3,
      params: {},
    })
    expect(
      compareRequestFromArgs(['--sizes', '4,1,4', '--strategies', 'thread,thread', '--transfer']).req,
    ).toMatchObject({ sizes: [1, 4], strategies: ['thread'], params: { transfer: true } })
  })

  it('prints the table, progress on stderr, and writes a trace and a CSV that parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-compare-'))
    const trace = join(dir, 'trace.json')
    const csv = join(dir, 'table.csv')
    const { code, out, err } = await run([
      'compare',
      '--workload',
      'trivial',
      '--strategies',
      'thread,process',
      '--sizes',
      '1',
      '--tasks',
      '6',
      '--repeat',
      '1',
      '--trace',
      trace,
      '--csv',
      csv,
    ])
    expect(code).toBe(0)
    expect(err).toMatch(/\[1\/3\] sequential, repeat 1/)
    expect(err).toMatch(/comparison done \(3\/3 runs\)/)
    const text = out.join('\n')
    expect(text).toMatch(/strategy\s+size\s+wall median/)
    expect(text).toMatch(/^thread pool\s+1 /m)
    expect(text).toMatch(/^process pool\s+1 /m)
    expect(checkTrace(JSON.parse(readFileSync(trace, 'utf8')))).toEqual([])
    const lines = readFileSync(csv, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^strategy,label,size,runs,wall_ms_median/)
  })

  const fixture = fileURLToPath(new URL('../lab/pools/fixtures/user-tasks.mjs', import.meta.url))

  it.each([
    [['--task', 'square'], /--task and --args go with --module FILE/],
    [
      ['--module', '/no/such/tasks.mjs', '--task', 'square', '--args', '[1]'],
      /--module: no file at \/no\/such\/tasks\.mjs/,
    ],
    [['--module', fixture, '--args', '[1]'], /--module needs --task NAME/],
    [['--module', fixture, '--task', 'square'], /--module needs --args JSON/],
    [['--module', fixture, '--task', 'square', '--args', '[1,'], /--args must be JSON/],
    [
      ['--module', fixture, '--task', 'squre', '--args', '[1]'],
      /--task: .*user-tasks\.mjs has no export named "squre" \(its function exports: .*square/,
    ],
    [
      ['--module', fixture, '--task', 'answer', '--args', '[1]'],
      /--task: export "answer" of .*user-tasks\.mjs is a number, not a function/,
    ],
  ])('a bad --module comparison %j exits 2 naming what is wrong', async (argv, message) => {
    const { code, err } = await run(['compare', ...argv])
    expect(code).toBe(2)
    expect(err).toMatch(message)
  })

  it("--module runs a user's function on every strategy, with a Gantt lane per worker", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-compare-module-'))
    const json = join(dir, 'out.json')
    const { code, out } = await run([
      'compare',
      '--module',
      fixture,
      '--task',
      'square',
      '--args',
      '[1,2,3,4,5,6]',
      '--strategies',
      'seq,async,thread,process,piscina,thread-static',
      '--sizes',
      '2',
      '--repeat',
      '1',
      '--json',
      '--csv',
      json,
    ])
    expect(code).toBe(0)
    const result = JSON.parse(out.join('\n'))
    expect(result.module).toEqual({ file: fixture, task: 'square' })
    expect(result.workload.describe).toMatch(/square\(input\) from .*user-tasks\.mjs, 6 inputs/)
    for (const row of result.rows) expect(row.failed).toBe(0)
    for (const trace of result.traces) {
      expect(trace.tasks).toHaveLength(6)
      expect(trace.lanes.length).toBeGreaterThanOrEqual(1)
    }
  })
})
