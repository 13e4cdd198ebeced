// `lab watch` as a user runs it: exit status of the program, a missing command, bad arguments, the live table,
// and a watched tree that leaves nothing behind when the CLI is interrupted.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { procExists, waitFor } from '../lab/testing/lab-fixture'
import { runMain } from './testing/cli-fixture'

const root = fileURLToPath(new URL('../../..', import.meta.url))

describe('lab watch', () => {
  it('exits 0 when the program exits 0, with its processes and threads in the table and the summary', async () => {
    const { code, out } = await runMain([
      'watch',
      '--interval',
      '100',
      '--',
      process.execPath,
      '-e',
      'setTimeout(() => {}, 400)',
    ])
    expect(code).toBe(0)
    expect(out.some((l) => l.includes('process / thread') && l.includes('state (OS)'))).toBe(true)
    expect(out.some((l) => /\bthread\b/.test(l))).toBe(true)
    expect(out.at(-1)).toBe(`${process.execPath}: exit code 0`)
  })

  it('exits 1 and says so when the program exits non-zero', async () => {
    const { code, out } = await runMain(['watch', '--json', '--', 'sh', '-c', 'exit 7'])
    expect(code).toBe(1)
    const summary = JSON.parse(out.at(-1)!)
    expect(summary).toMatchObject({ type: 'summary', ok: false, status: 'done', exitCode: 7 })
    expect(summary.units[0]).toMatchObject({ kind: 'program', state: 'crashed', exitCode: 7 })
  })

  it('NDJSON ticks: processes of kind program, their threads of kind thread with parent and tid', async () => {
    const { code, out } = await runMain([
      'watch',
      '--json',
      '--interval',
      '100',
      '--',
      process.execPath,
      '-e',
      'setTimeout(() => {}, 500)',
    ])
    expect(code).toBe(0)
    const ticks = out.map((l) => JSON.parse(l)).filter((o) => o.type === 'tick')
    const units = ticks.flatMap((t) => t.units)
    const proc = units.find((u) => u.kind === 'program')
    const thread = units.find((u) => u.kind === 'thread' && u.tid === proc.pid)
    expect(Object.keys(proc).sort()).toEqual(
      ['cpu', 'id', 'kind', 'label', 'os', 'parent', 'peakRss', 'pid', 'rss', 'state', 'tid', 'time'].sort(),
    )
    expect(thread).toMatchObject({ parent: proc.id, pid: proc.pid })
    // Every live thread and process carries its OS letter; every tick the monitor's cost, the machine and short-lived processes.
    const live = units.filter((u) => u.state === 'running')
    expect(live.length).toBeGreaterThan(1)
    // A unit listed only for a change of state (found between two samplings) has no reading yet: `os` is null there,
    // as the schema says; a sampled one carries a letter, and the program and its main thread, alive throughout, do.
    for (const u of live) if (u.os !== null) expect(u.os).toMatch(/^[RSDTtZI]$/)
    for (const u of [proc, thread]) expect(live.some((x) => x.id === u.id && x.os !== null)).toBe(true)
    const later = ticks.at(-2)
    expect(later.sampler.labCpuMs).toBeGreaterThan(0)
    expect(later.sampler.costMs).toBeGreaterThan(0)
    expect(later.machine.cores).toHaveLength(os.cpus().length)
    expect(later.transient).toEqual({ processes: 0, cpuMs: 0, parents: [] })
    const split = live.find((u) => u.kind === 'thread' && u.time)!.time
    expect(split.onCpu + split.runqueue + split.blocked).toBeCloseTo(100, 0)
  })

  it('a command that does not exist: a clear error and exit 1', async () => {
    const { code, err } = await runMain(['watch', '--', 'no-such-command-parallel-lab'])
    expect(code).toBe(1)
    expect(err).toContain(
      'lab: The command "no-such-command-parallel-lab" was not found (not a file, and not on PATH).',
    )
  })

  it.each([
    [['watch'], /What should I watch\? Usage: lab watch/],
    [['watch', '--interval', '5', '--', 'true'], /--interval must be a whole number of milliseconds from 100 to 5000/],
    [['watch', '--duration', 'soon', '--', 'true'], /--duration must be a number of seconds/],
    [['watch', '--colour', 'red', '--', 'true'], /Unknown option --colour/],
  ])('bad arguments %j exit 2 with a sentence', async (argv, message) => {
    const { code, err } = await runMain(argv)
    expect(code).toBe(2)
    expect(err).toMatch(message)
  })

  it('--duration stops the whole tree and counts as success', async () => {
    const { code, out } = await runMain(['watch', '--duration', '0.5', '--', 'sh', '-c', 'sleep 30 & sleep 30; wait'])
    expect(code).toBe(0)
    expect(out.at(-1)).toContain('stopped after --duration 0.5 s')
  })

  it('Ctrl-C on the CLI ends the watched program and its children: no orphans', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/main/cli/index.ts',
        'watch',
        '--json',
        '--interval',
        '100',
        '--',
        'sh',
        '-c',
        'sleep 30 & sleep 30 & wait',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const pids = new Set<number>()
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (l) => {
      const o = JSON.parse(l)
      if (o.type === 'tick') for (const u of o.units) if (u.kind === 'program') pids.add(u.pid)
    })
    expect(await waitFor(() => pids.size === 3, 20_000)).toBe(true)
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.kill('SIGINT')
    expect(await exited).toBe(1)
    expect(await waitFor(() => [...pids].every((pid) => !procExists(pid)), 5000)).toBe(true)
  })

  it.runIf(process.platform === 'linux')(
    'the watched program ends with the lab even when the lab is killed with SIGKILL',
    async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/main/cli/index.ts', 'watch', '--json', '--interval', '100', '--', 'sleep', '30'],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      let pid = 0
      createInterface({ input: child.stdout! }).on('line', (l) => {
        const o = JSON.parse(l)
        if (o.type === 'tick') for (const u of o.units) if (u.kind === 'program' && u.state === 'running') pid = u.pid
      })
      expect(await waitFor(() => pid > 0, 20_000)).toBe(true)
      expect(procExists(pid)).toBe(true)
      child.kill('SIGKILL')
      expect(await waitFor(() => !procExists(pid), 2000)).toBe(true)
    },
  )
})

describe('lab watch --pid', () => {
  it('attaches to a running Python program, shows its threads and child, detaches after --duration and never signals it', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'watch-pid-'))
    const signals = join(dir, 'signals.txt')
    const target = spawn(
      'python3',
      [join(root, 'e2e/fixtures/attach_target.py'), '--signals', signals, '--threads', '2', '--children', '1'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const ready = await new Promise<string>((resolve) =>
      createInterface({ input: target.stdout! }).on('line', (l) => l.startsWith('ready') && resolve(l)),
    )
    const [, pid, childPid] = ready.split(' ').map(Number)
    try {
      const { code, out } = await runMain([
        'watch',
        '--pid',
        String(pid),
        '--json',
        '--interval',
        '100',
        '--duration',
        '1.5',
      ])
      expect(code).toBe(0)
      const lines = out.map((l) => JSON.parse(l))
      const units = lines.filter((o) => o.type === 'tick').flatMap((t) => t.units)
      expect(units.some((u) => u.kind === 'thread' && u.pid === pid && u.tid !== pid)).toBe(true)
      expect(units.some((u) => u.kind === 'program' && u.pid === childPid)).toBe(true)
      expect(lines.at(-1)).toMatchObject({
        type: 'summary',
        ok: true,
        attached: [{ pid, status: 'detached', exitCode: null }],
      })
      expect(procExists(pid) && procExists(childPid)).toBe(true)
      expect(existsSync(signals) ? readFileSync(signals, 'utf8') : '').toBe('')
    } finally {
      for (const p of [pid, childPid]) process.kill(p, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each([
    [['watch', '--pid', 'abc'], 2, /--pid must be a process id/],
    [['watch', '--pid', '4000000'], 1, /no process with PID 4000000/],
    [['watch', '--pid', '1', '--', 'true'], 2, /Either attach with --pid or run a command/],
  ])('%j exits %i with a clear message', async (argv, status, message) => {
    const { code, err } = await runMain(argv)
    expect(code).toBe(status)
    expect(err).toMatch(message)
  })
})
