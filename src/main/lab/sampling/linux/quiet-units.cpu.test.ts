// Idle threads cost the lab next to nothing: their unchanged samples are handed on as the very same objects, while a
// thread that wakes gets fresh ones at once. Real threads of a real C program, read through the real collector.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Sample, Tick } from '../../../../shared/model'
import { isFinal } from '../../../../shared/model'
import { useLabs, waitFor } from '../../testing/lab-fixture'
import { compileProbes } from '../../testing/probes'
import type { SampleTarget } from '../collector'
import { Sampler } from '../sampler'
import { ProcFsCollector } from './collector'
import { schedstatWorks } from './procfs'

const probes = compileProbes()
const newLab = useLabs()
afterAll(() => probes.remove())
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe.runIf(process.platform === 'linux' && schedstatWorks())('idle threads through the collector', () => {
  it('hands an idle thread its last sample again, and a thread that wakes a new one at once', async () => {
    // 40 idle threads, and two "waker" threads that sleep 2 s and then spin 1.5 s.
    const child = spawn(probes.path('wakingThreads'), ['40', '2', '1.5'], { stdio: 'ignore' })
    const pid = child.pid!
    const sampler = new Sampler(new ProcFsCollector())
    try {
      let tids: number[] = []
      while (tids.length < 43) {
        await sleep(20)
        tids = readdirSync(`/proc/${pid}/task`).map(Number)
      }
      const name = (tid: number): string => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      const wakers = new Set(tids.filter((tid) => name(tid) === 'waker'))
      expect(wakers.size).toBe(2)
      const targets: SampleTarget[] = [
        { id: 'process', pid, tid: null },
        ...tids.map((tid) => ({ id: `t${tid}`, pid, tid })),
      ]
      const ticks: { at: number; samples: Map<string, Sample> }[] = []
      const started = performance.now()
      while (performance.now() - started < 3200) {
        const { samples } = await sampler.sample(targets, new Map())
        ticks.push({ at: performance.now() - started, samples: new Map(samples.map((s) => [s.id, s])) })
        sampler.collector.probe()
        await sleep(100)
      }
      const idleIds = tids.filter((tid) => !wakers.has(tid) && tid !== pid).map((tid) => `t${tid}`)
      // While everything sleeps (after a few readings, before the wakers wake at 2 s): the same objects, saying so.
      const napping = ticks.filter((t) => t.at > 600 && t.at < 1800)
      expect(napping.length).toBeGreaterThan(5)
      let same = 0
      let total = 0
      for (let i = 1; i < napping.length; i++) {
        for (const id of idleIds) {
          const s = napping[i].samples.get(id)!
          total++
          if (s === napping[i - 1].samples.get(id)) same++
          expect(s.cpu).toBe(0)
          expect(s.os).toBe('S')
          expect(s.time?.blocked).toBe(100)
        }
      }
      expect(same / total).toBeGreaterThan(0.95)
      // Once awake and spinning (from 2.3 s): the wakers read busy, in a new object every tick.
      const spinning = ticks.filter((t) => t.at > 2300 && t.at < 3300)
      expect(spinning.length).toBeGreaterThan(3)
      for (let i = 1; i < spinning.length; i++) {
        for (const tid of wakers) {
          const s = spinning[i].samples.get(`t${tid}`)!
          expect(s).not.toBe(spinning[i - 1].samples.get(`t${tid}`))
          expect(s.cpu).toBeGreaterThan(20)
          expect(s.time!.onCpu + s.time!.runqueue).toBeGreaterThan(50)
        }
        // The process's sample moves with them.
        expect(spinning[i].samples.get('process')).not.toBe(spinning[i - 1].samples.get('process'))
        expect(spinning[i].samples.get('process')!.cpu).toBeGreaterThan(40)
      }
    } finally {
      child.kill('SIGKILL')
      sampler.close()
    }
  })
})

describe.runIf(process.platform === 'linux' && schedstatWorks())('idle child processes of a watched program', () => {
  it('keep their samples while idle, and one that is killed after a long idle ends at once', async () => {
    const lab = newLab({ intervalMs: 100 })
    const ticks: Tick[] = []
    lab.onTick((t) => ticks.push(t))
    // 12 children that sleep 20 s (the scan and the collection read an idle one's schedstat, its stat only now and then).
    const run = await lab.watch({
      command: probes.path('children'),
      args: ['12', '20', 'sleep'],
      label: 'idle children',
    })
    const children = async () =>
      (await lab.snapshot()).units.filter((u) => u.runId === run.id && u.kind === 'program' && !u.spawned)
    expect(await waitFor(async () => (await children()).length === 12, 10_000)).toBe(true)
    const from = ticks.length
    expect(await waitFor(() => ticks.length >= from + 20, 10_000)).toBe(true)
    const kids = await children()
    let same = 0
    let total = 0
    for (let i = from + 1; i < ticks.length; i++) {
      for (const k of kids) {
        const s = ticks[i].samples.find((x) => x.id === k.id)
        const before = ticks[i - 1].samples.find((x) => x.id === k.id)
        if (!s || !before) continue
        total++
        if (s === before) same++
        expect(s.cpu).toBeLessThan(5)
        expect(s.rss).toBeGreaterThan(0)
      }
    }
    expect(same / total).toBeGreaterThan(0.8)
    // Killed after seconds of idling: its unit ends within a few ticks, the others live on.
    const victim = kids[0]
    const killedAt = ticks.length
    process.kill(victim.pid, 'SIGKILL')
    expect(
      await waitFor(async () => isFinal((await lab.snapshot()).units.find((u) => u.id === victim.id)!.state), 3000),
    ).toBe(true)
    expect(ticks.length - killedAt).toBeLessThanOrEqual(6)
    const live = (await children()).filter((u) => !isFinal(u.state))
    expect(live).toHaveLength(11)
    await lab.stop({ runId: run.id })
  })
})

describe.runIf(process.platform === 'linux' && schedstatWorks())(
  'an idle process whose memory is taken from it',
  () => {
    it('reads its smaller RSS within a second at 100 ms, though it never runs (its mapped file cut by another process)', async () => {
      const MiB = 1024 * 1024
      const dir = mkdtempSync(join(tmpdir(), 'plab-idle-rss-'))
      const file = join(dir, 'mapped')
      writeFileSync(file, Buffer.alloc(48 * MiB, 7))
      // Maps the file, touches every page (48 MiB resident), then sleeps: it does not run again.
      const script = [
        'import mmap, sys, time',
        'f = open(sys.argv[1], "rb")',
        'm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)',
        'total = sum(m[i] for i in range(0, len(m), 4096))',
        'time.sleep(60)',
      ].join('\n')
      const lab = newLab({ intervalMs: 100 })
      const ticks: Tick[] = []
      lab.onTick((t) => ticks.push(t))
      try {
        const run = await lab.watch({ command: 'python3', args: ['-c', script, file], label: 'mapped file' })
        const root = (await lab.snapshot()).units.find((u) => u.runId === run.id && u.spawned)!
        const rss = (): number => ticks.at(-1)?.samples.find((x) => x.id === root.id)?.rss ?? 0
        expect(await waitFor(() => rss() > 48 * MiB, 10_000)).toBe(true)
        // Asleep for a while: the scan has gone quiet on it (its entry and samples handed on as they were).
        const asleep = ticks.length
        expect(await waitFor(() => ticks.length >= asleep + 12, 5000)).toBe(true)
        const before = rss()
        const cut = ticks.length
        truncateSync(file, 0)
        expect(await waitFor(() => rss() < before - 40 * MiB, 5000)).toBe(true)
        // IDLE_READ_EVERY (8) scans at most, with room for a late tick or two.
        expect(ticks.length - cut).toBeLessThanOrEqual(11)
        await lab.stop({ runId: run.id })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  },
)
