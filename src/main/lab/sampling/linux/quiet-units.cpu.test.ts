// Idle threads cost the lab next to nothing: their unchanged samples are handed on as the very same objects, while a
// thread that wakes gets fresh ones at once. Real threads of a real C program, read through the real collector.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import type { Sample } from '../../../../shared/model'
import { compileProbes } from '../../testing/probes'
import type { SampleTarget } from '../collector'
import { Sampler } from '../sampler'
import { ProcFsCollector } from './collector'
import { schedstatWorks } from './procfs'

const probes = compileProbes()
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
