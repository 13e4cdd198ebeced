// The machine's process list for the attach picker: a real busy process reads near 100 % and sorts first, owners
// have names, and a process the lab may not read is listed with what can be seen and the reason.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ProcessLister, readProcessIdentity } from './process-list'

const cleanup: (() => void)[] = []
afterEach(() => cleanup.splice(0).forEach((fn) => fn()))

describe('ProcessLister', () => {
  it('lists real processes with owner, command line, memory, and CPU % from the second reading on', async () => {
    const busy = spawn(process.execPath, ['-e', 'for (;;) {} // picker-busy-marker'], { stdio: 'ignore' })
    cleanup.push(() => busy.kill('SIGKILL'))
    const lister = new ProcessLister({ warmupMs: 400 })
    expect((await lister.list()).processes.length).toBeGreaterThan(2)
    // The second listing measures against the first: the busy loop has been running for all of it.
    await new Promise((r) => setTimeout(r, 500))
    const { processes } = await lister.list()
    const me = processes.find((p) => p.pid === process.pid)!
    expect(me).toMatchObject({ user: userInfo().username, readable: true, reason: null })
    expect(me.rss).toBeGreaterThan(1024 * 1024)
    expect(me.startTime).toBe(readProcessIdentity(process.pid)!.startTime)
    const spinner = processes.find((p) => p.pid === busy.pid)!
    expect(spinner.command).toContain('picker-busy-marker')
    expect(spinner.name).toBe('node')
    // Generous: the machine is shared, but a busy loop gets far more than an idle process.
    expect(spinner.cpu).toBeGreaterThan(20)
    const kernel = processes.find((p) => p.command.startsWith('['))
    if (kernel) expect(kernel.command).toBe(`[${kernel.name}]`)
  })

  it('lists a process whose details cannot be read with its PID, owner and the reason', async () => {
    // A folder laid out like /proc: one readable process, and one whose stat cannot be read (as with hidepid=1).
    const root = mkdtempSync(join(tmpdir(), 'proc-'))
    cleanup.push(() => rmSync(root, { recursive: true, force: true }))
    mkdirSync(join(root, '100'))
    writeFileSync(
      join(root, '100', 'stat'),
      '100 (my job) S 1 100 100 0 -1 0 0 0 0 0 50 10 0 0 20 0 3 0 4242 1000 25 0',
    )
    writeFileSync(join(root, '100', 'cmdline'), 'python3\0job.py\0')
    mkdirSync(join(root, '200', 'stat'), { recursive: true })
    writeFileSync(join(root, 'passwd'), `me:x:${userInfo().uid}:0::/:/bin/sh\n`)
    writeFileSync(join(root, 'mounts'), `proc ${root} proc rw,hidepid=1 0 0\n`)
    const { processes, note } = await new ProcessLister({
      procRoot: root,
      passwdFile: join(root, 'passwd'),
      warmupMs: 1,
    }).list()
    expect(processes.find((p) => p.pid === 100)).toMatchObject({
      name: 'my job',
      command: 'python3 job.py',
      user: 'me',
      threads: 3,
      startTime: 4242,
      readable: true,
    })
    const hidden = processes.find((p) => p.pid === 200)!
    expect(hidden).toMatchObject({ user: 'me', readable: false, cpu: null, command: '' })
    expect(hidden.reason).toMatch(/may not read this process/)
    expect(note).toMatch(/hidepid=1/)
  })
})
