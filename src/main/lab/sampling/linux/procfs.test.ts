// The one stat parser, schedstat and status fields, and the machine's process list, against real /proc files.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createPlatform } from '../factory'
import { osCoreTimes } from '../machine'
import { pageSize, parseSchedstat, parseStatmResident, parseStatText, procCoreTimes, statusKb, VM_RSS } from './procfs'

describe.runIf(process.platform === 'linux')('procfs', () => {
  it("reads every core's busy and idle time from /proc/stat as os.cpus() gives them (in ms there, clock ticks here)", () => {
    const before = osCoreTimes()!
    const cores = procCoreTimes()!
    const after = osCoreTimes()!
    expect(cores.length).toBe(before.length)
    cores.forEach((c, i) => {
      // os.cpus() counts 10 ms per clock tick; the two os readings bracket this one.
      expect(c.busy * 10).toBeGreaterThanOrEqual(before[i].busy)
      expect(c.busy * 10).toBeLessThanOrEqual(after[i].busy)
      expect(c.idle * 10).toBeGreaterThanOrEqual(before[i].idle)
      expect(c.idle * 10).toBeLessThanOrEqual(after[i].idle)
      expect(c.busy + c.idle).toBeGreaterThan(0)
    })
  })

  it('parses a stat line whose name holds spaces and parentheses', () => {
    const line =
      '4242 (a) b (c) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 30 7 3 20 0 3 0 987654 1000000 512 18446744073709551615\n'
    expect(parseStatText(line)).toEqual({
      name: 'a) b (c',
      state: 'S',
      ppid: 17,
      pgrp: 4242,
      utime: 250,
      stime: 30,
      cutime: 7,
      cstime: 3,
      numThreads: 3,
      startTime: 987654,
      rss: 512,
      faults: 100,
    })
  })

  it("reads statm's resident pages (VmRSS in pages), and -1 for what is not a statm line", async () => {
    const text = (f: string): Buffer => Buffer.from(f)
    const line = text('12345 6789 1011 12 0 3456 0\n')
    expect(parseStatmResident(line, line.length)).toBe(6789)
    expect(parseStatmResident(text('12345'), 5)).toBe(-1)
    expect(parseStatmResident(text(''), 0)).toBe(-1)
    // A sleeping process's, beside its status's VmRSS: the same kernel sum, and nothing moves it while it sleeps.
    const child = spawn('sleep', ['10'], { stdio: 'ignore' })
    try {
      await new Promise((r) => setTimeout(r, 200))
      const statm = readFileSync(`/proc/${child.pid}/statm`)
      const status = readFileSync(`/proc/${child.pid}/status`)
      const kb = statusKb(status, status.length, VM_RSS)! / 1024
      expect(kb).toBeGreaterThan(0)
      expect((parseStatmResident(statm, statm.length) * pageSize()) / 1024).toBe(kb)
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('reads this process: its own pid, name and parent', () => {
    const stat = parseStatText(readFileSync('/proc/self/stat', 'latin1'))!
    expect(stat.ppid).toBe(process.ppid)
    expect(stat.numThreads).toBeGreaterThan(1)
    const buf = Buffer.from('1234567 89012 30\n')
    expect(parseSchedstat(buf, buf.length)).toEqual({ runNs: 1234567, waitNs: 89012 })
    const status = Buffer.from(readFileSync('/proc/self/status'))
    expect(statusKb(status, status.length, VM_RSS)).toBeGreaterThan(10 * 1024 * 1024)
  })

  it('gives one platform object: a page size, this thread id, and every process of the machine', async () => {
    const platform = createPlatform()
    expect(platform.name).toBe('procfs')
    expect(platform.pageSize % 4096).toBe(0)
    expect(platform.threadId()).toBe(process.pid)
    const all = await platform.listProcesses()
    const self = all.find((p) => p.pid === process.pid)
    expect(self).toMatchObject({ ppid: process.ppid })
    expect(self!.cmdline).toContain('node')
    expect(all.length).toBeGreaterThan(5)
  })
})
