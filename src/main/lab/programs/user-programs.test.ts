// A person's programs folder: valid files become runnable catalog entries, broken ones are listed with the reason.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runToEnd, useLabs } from '../testing/lab-fixture'
import { PROGRAMS_DIR_ENV } from './user-programs'

const newLab = useLabs()
let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-programs-'))
  vi.stubEnv(PROGRAMS_DIR_ENV, dir)
})

afterEach(() => {
  vi.unstubAllEnvs()
  rmSync(dir, { recursive: true, force: true })
})

describe('user programs', () => {
  it('"no such scenario" lists the user\'s programs beside the built-in scenarios', async () => {
    writeFileSync(join(dir, 'render.json'), JSON.stringify({ id: 'render-frames', title: 'Render', command: 'true' }))
    const err = await newLab()
      .start({ scenario: 'render-frame' })
      .catch((e: Error) => e)
    expect((err as Error).message).toMatch(
      /There is no scenario "render-frame"\. Known scenarios: counters, .*render-frames/,
    )
  })

  it('lists each file as a program scenario and runs it by id', async () => {
    writeFileSync(
      join(dir, 'hello.json'),
      JSON.stringify({ id: 'hello', title: 'Hello', command: 'sh', args: ['-c', 'echo hi; exit 0'] }),
    )
    const lab = newLab()
    const entry = (await lab.listScenarios()).find((s) => s.id === 'hello')
    expect(entry).toMatchObject({
      runtime: 'program',
      available: true,
      reason: null,
      section: 'My programs',
      summary: 'sh -c echo hi; exit 0',
    })
    const info = await runToEnd(lab, 'hello')
    expect(info.status).toBe('done')
  })

  it('a program that exits non-zero fails its run, quoting its last stderr line', async () => {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ id: 'bad', title: 'Bad', command: 'sh', args: ['-c', 'echo broken >&2; exit 4'] }),
    )
    const info = await runToEnd(newLab(), 'bad')
    expect(info.status).toBe('failed')
    expect(info.error).toBe('bad exited with code 4: broken')
  })

  it.each([
    ['not json', /is not valid JSON/],
    [JSON.stringify({ id: 'Bad Id', title: 't', command: 'x' }), /id must be lower-case/],
    [JSON.stringify({ id: 'x', title: 't', command: 'x', args: 'a b' }), /args must be a list of strings/],
    [JSON.stringify({ id: 'counters', title: 't', command: 'x' }), /already taken/],
  ])('a broken file %s is listed as unavailable with the reason', async (text, reason) => {
    writeFileSync(join(dir, 'broken.json'), text)
    const lab = newLab()
    const entry = (await lab.listScenarios()).find((s) => s.runtime === 'program')!
    expect(entry.available).toBe(false)
    expect(entry.reason).toMatch(reason)
    await expect(lab.start({ scenario: entry.id })).rejects.toThrow(reason)
  })
})

describe("Open program (the desktop app's dialog)", () => {
  it('a picked Python script becomes a program that runs, listed under "My programs"', async () => {
    const script = join(mkdtempSync(join(tmpdir(), 'lab-script-')), 'Count Down.py')
    writeFileSync(script, 'for k in range(3, 0, -1):\n    print("khanh: %d" % k)\n')
    const lab = newLab({ pickProgramFile: async () => script })
    const entry = await lab.openProgram()
    expect(entry).toMatchObject({ id: 'count-down', title: 'Count Down.py', section: 'My programs', available: true })
    // A second import of the same name gets its own id.
    expect(await lab.openProgram()).toMatchObject({ id: 'count-down-2' })
    const info = await runToEnd(lab, 'count-down')
    expect(info.status).toBe('done')
  })

  it('a picked program file is checked: a broken one is refused with the reason, nothing is added', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'lab-file-')), 'broken.json')
    writeFileSync(broken, JSON.stringify({ id: 'Bad Id', title: 'x', command: 'true' }))
    const lab = newLab({ pickProgramFile: async () => broken })
    await expect(lab.openProgram()).rejects.toThrow(/broken.json is not a program file: id must be lower-case letters/)
    expect((await lab.listScenarios()).filter((s) => s.section === 'My programs')).toEqual([])
  })

  it('cancelling the dialog changes nothing; without a dialog (browser mode, CLI) the lab says where files go', async () => {
    expect(await newLab({ pickProgramFile: async () => null }).openProgram()).toBeNull()
    await expect(newLab().openProgram()).rejects.toThrow(
      `Opening a file needs the desktop app. Here, put a program file in ${dir}`,
    )
  })
})

describe('user programs: symlinks and secrets', () => {
  it('never follows a symlink out of the folder, and never puts a file’s contents into a reason', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'lab-secret-'))
    try {
      // A secret that is not JSON: a parser's own message would quote its first characters.
      writeFileSync(join(outside, 'shadow'), 'root:$6$SECRETHASH:19000:0:99999:7:::\n')
      writeFileSync(join(outside, 'good.json'), JSON.stringify({ id: 'outside', title: 'Outside', command: 'true' }))
      symlinkSync(join(outside, 'shadow'), join(dir, 'shadow.json'))
      symlinkSync(join(outside, 'good.json'), join(dir, 'linked.json'))
      symlinkSync('/etc/passwd', join(dir, 'passwd.json'))
      writeFileSync(join(dir, 'garbage.json'), 'root:x:0:0:SECRET')
      // A link inside the folder is fine.
      writeFileSync(join(dir, 'real.json'), JSON.stringify({ id: 'real', title: 'Real', command: 'true' }))
      symlinkSync(join(dir, 'real.json'), join(dir, 'alias.json'))
      const listed = await newLab().listScenarios()
      const text = JSON.stringify(listed)
      expect(text).not.toContain('SECRET')
      expect(text).not.toContain('root:')
      for (const name of ['shadow', 'linked', 'passwd']) {
        const entry = listed.find((s) => s.id === `file-${name}`)
        expect(entry?.available, name).toBe(false)
        expect(entry?.reason, name).toMatch(/symbolic link out of the programs folder/)
      }
      expect(listed.some((s) => s.id === 'outside')).toBe(false)
      expect(listed.find((s) => s.id === 'file-garbage')?.reason).toMatch(/is not valid JSON( \(.*\))?\.$/)
      expect(listed.find((s) => s.id === 'real')?.available).toBe(true)
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })
})
