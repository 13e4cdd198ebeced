// The command line as a user runs it: real processes, exit codes, NDJSON schema, and no orphans.
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { procExists, waitFor } from '../lab/testing/lab-fixture'
import { version } from './index'
import { runMain } from './testing/cli-fixture'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const cli = ['--import', 'tsx', 'src/main/cli/index.ts']

describe('lab (in process)', () => {
  it('lists every scenario with one line each', async () => {
    const { code, out } = await runMain(['scenarios'])
    expect(code).toBe(0)
    expect(out.some((l) => l.startsWith('counters '))).toBe(true)
    expect(out.some((l) => l.startsWith('executor-map '))).toBe(true)
  })

  it.each([
    [['run', 'nope'], /no scenario "nope".*Known scenarios: counters/],
    [['run', 'counters', '--workers', '0'], /--workers must be a whole number from 1 to 16 \(got "0"\)/],
    [['run', 'counters', '--workers', '10000'], /--workers must be a whole number from 1 to 16/],
    [['run', 'counters', '--mode', 'banana'], /--mode must be one of thread, process \(got "banana"\)/],
    [['run', 'counters', '--interval', '1'], /--interval must be a whole number of milliseconds from 100 to 5000/],
    [['run', 'counters', '--colour', 'red'], /Unknown option --colour/],
    [['frobnicate'], /Unknown command "frobnicate"/],
  ])('%j exits 2 and names what is wrong', async (argv, message) => {
    const { code, err } = await runMain(argv)
    expect(code).toBe(2)
    expect(err).toMatch(message)
  })

  it.each([
    [['compare', '--help'], /Usage: lab compare \[options\][\s\S]*--strategies LIST[\s\S]*--help, -h/],
    [['compare', '-h'], /Usage: lab compare/],
    [['help', 'compare'], /Usage: lab compare/],
    [['run', '--help'], /Usage: lab run <id> \[options\][\s\S]*--interval MS/],
    [
      ['run', 'counters', '--help'],
      /Usage: lab run counters[\s\S]*--workers N\s+Workers: 1 to 16, default 2[\s\S]*--lock\s+Lock \(--no-lock turns it off\), default false/,
    ],
    [['run', 'counters', '--workers', '99', '-h'], /Parameters of counters/],
    [['watch', '--help'], /Usage: lab watch[\s\S]*--duration S/],
    [['scenarios', '--help'], /Usage: lab scenarios/],
    [['--help'], /lab run <id>[\s\S]*lab compare[\s\S]*lab --version/],
  ])('%j prints help and exits 0', async (argv, help) => {
    const { code, out, err } = await runMain(argv)
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.join('\n')).toMatch(help)
  })

  it('--version prints the version of package.json', async () => {
    const { code, out } = await runMain(['--version'])
    expect(code).toBe(0)
    expect(out).toEqual([`parallel-lab ${version()}`])
    expect(version()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it.each([
    [['run', 'counters', '--lock=yes'], /--lock is a switch: use --lock or --no-lock/],
    [['run', 'counters', '--workers'], /--workers needs a value \(N\)/],
    [['run', 'counters', '--interval='], /--interval needs a value \(MS\)/],
    [['run', 'counters', 'extra'], /Unexpected argument "extra"/],
    [['scenarios', 'extra'], /Unexpected argument "extra"/],
    [['compare', '--tasks', '-3'], /--tasks must be a whole number/],
    [['run', '--help-me'], /Which scenario\?/],
  ])('%j exits 2 with a sentence naming the option', async (argv, message) => {
    const { code, err } = await runMain(argv)
    expect(code).toBe(2)
    expect(err).toMatch(message)
  })

  it('--no-<switch> turns a switch off, and a help flag after "--" belongs to the watched command', async () => {
    const off = await runMain(['run', 'counters', '--lock', '--no-lock', '--from', '1', '--json', '--interval', '100'])
    expect(off.code).toBe(0)
    expect(JSON.parse(off.out.at(-1)!)).toMatchObject({ type: 'summary', ok: true })
    // The spelling with a value still works: --lock=true serialises the counts (all of one unit, then the other).
    const on = await runMain(['run', 'counters', '--lock=true', '--from', '2', '--delay', '20', '--interval', '100'])
    expect(on.code).toBe(0)
    const counts = on.out.filter((l) => /^\w+ thread: \d$/.test(l))
    expect(counts.map((l) => l.split(':')[0])).toEqual([
      ...Array(2).fill(counts[0].split(':')[0]),
      ...Array(2).fill(counts[2].split(':')[0]),
    ])
    const watched = await runMain(['watch', '--', process.execPath, '--help'])
    expect(watched.code).toBe(0)
    expect(watched.out.at(-1)).toBe(`${process.execPath}: exit code 0`)
  })

  it('prints the log and a summary table with pid, tid, peak CPU, peak RSS and lock wait', async () => {
    const { code, out } = await runMain(['run', 'counters', '--mode', 'thread', '--lock', '--interval', '100'])
    expect(code).toBe(0)
    const lines = out.join('\n').split('\n')
    expect(lines).toContain('khanh thread: 5')
    const header = lines.find((l) => l.startsWith('unit '))!
    for (const col of ['pid', 'tid', 'peak CPU', 'peak RSS', 'lock wait']) expect(header).toContain(col)
    expect(lines.some((l) => l.startsWith('counters / khanh'))).toBe(true)
    // The lesson's verdict on this run: serialised by the lock.
    expect(
      lines.some((l) => /^ {2}✓ with the lock, every (khanh|ai) line precedes every (ai|khanh) line/.test(l)),
    ).toBe(true)
  })
})

describe('lab (as a process)', () => {
  it('--json prints tick, log and summary objects and exits 0', () => {
    const r = spawnSync(
      process.execPath,
      [...cli, 'run', 'counters', '--mode', 'process', '--json', '--interval', '100'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    expect(r.status).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const tick = lines.find((l) => l.type === 'tick' && l.units.some((u: { kind: string }) => u.kind === 'process'))
    const unit = tick.units.find((u: { kind: string }) => u.kind === 'process')
    expect(Object.keys(unit).sort()).toEqual(
      ['cpu', 'id', 'kind', 'label', 'os', 'parent', 'peakRss', 'pid', 'rss', 'state', 'tid', 'time'].sort(),
    )
    expect(Object.keys(tick).sort()).toEqual(['machine', 'sampler', 't', 'transient', 'type', 'units'])
    expect(Object.keys(lines.at(-1)).sort()).toContain('transient')
    expect(lines.filter((l) => l.type === 'log').map((l) => l.text)).toContain('ai process: 1')
    expect(lines.at(-1)).toMatchObject({ type: 'summary', ok: true })
  })

  it('exits 1 when the run fails', () => {
    const r = spawnSync(
      process.execPath,
      [...cli, 'run', 'spin', '--seconds', '1', '--duty', '5', '--fail', '--workers', '1'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/run failed: .*failed on purpose/)
  })

  it('leaves no orphans when the lab itself is killed with SIGKILL', async () => {
    const child = spawn(
      process.execPath,
      [...cli, 'run', 'spin', '--mode', 'process', '--seconds', '0', '--duty', '5', '--json', '--interval', '100'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const pids = new Set<number>()
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const msg = JSON.parse(line)
      if (msg.type === 'tick')
        for (const u of msg.units) if (u.kind === 'process' && u.state === 'running') pids.add(u.pid)
    })
    expect(await waitFor(() => pids.size === 2, 20_000)).toBe(true)
    for (const pid of pids) expect(procExists(pid)).toBe(true)
    child.kill('SIGKILL')
    const gone = await waitFor(() => [...pids].every((pid) => !procExists(pid)), 2000)
    expect(gone).toBe(true)
  })
})
