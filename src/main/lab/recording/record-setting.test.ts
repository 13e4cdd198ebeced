// "Record sessions" as a setting, with real labs and real runs: off, no new run is recorded, and it stays off after a
// lab restart; PARALLEL_LAB_RECORD=0 and --no-record (enabled: false) win over the setting.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Lab } from '../lab'
import { runToEnd, useLabs } from '../testing/lab-fixture'

const newLab = useLabs()
afterEach(() => {
  vi.unstubAllEnvs()
})

const fresh = (what: string): string => mkdtempSync(join(tmpdir(), `plab-recset-${what}-`))
const recordings = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.plrec'))
  } catch {
    return []
  }
}

/** A short counters run to its end, then the ticks that close its session (if one was opened). */
async function shortRun(lab: Lab): Promise<void> {
  await runToEnd(lab, 'counters', { mode: 'thread', from: 10, delay: 5 })
  await lab.flush()
  await lab.flush()
  await lab.recorder.finish()
}

describe('the "record" setting', () => {
  it('off: new runs are not recorded, and it stays off after the lab restarts; on again: they are', async () => {
    const configDir = fresh('config')
    const dir = fresh('sessions')
    const lab = newLab({ configDir, recording: { dir } })
    expect((await lab.recordingStatus()).enabled).toBe(true)
    expect((await lab.getSettings()).settings.record).toBe(true)

    const status = await lab.setRecording({ on: false })
    expect(status).toMatchObject({ enabled: false, forcedOff: null })
    await shortRun(lab)
    expect(recordings(dir)).toEqual([])
    await lab.close()

    // A new lab reads the stored setting: still off.
    const again = newLab({ configDir, recording: { dir } })
    expect((await again.getSettings()).settings.record).toBe(false)
    expect((await again.recordingStatus()).enabled).toBe(false)
    await shortRun(again)
    expect(recordings(dir)).toEqual([])

    // The settings command turns it on as well (the settings UI and the Sessions view's checkbox are one setting).
    expect((await again.setSettings({ record: true })).record).toBe(true)
    await shortRun(again)
    expect(recordings(dir)).toHaveLength(1)
    // Reset settings: back to the default, on.
    await again.setRecording({ on: false })
    expect((await again.resetSettings()).record).toBe(true)
    expect((await again.recordingStatus()).enabled).toBe(true)
  })

  it('PARALLEL_LAB_RECORD=0 wins over the setting, and says so; the setting is still kept', async () => {
    const configDir = fresh('config')
    const dir = fresh('sessions')
    vi.stubEnv('PARALLEL_LAB_RECORD', '0')
    const lab = newLab({ configDir, recording: { dir } })
    const status = await lab.setRecording({ on: true })
    expect(status.enabled).toBe(false)
    expect(status.forcedOff).toBe('PARALLEL_LAB_RECORD=0 is set')
    expect((await lab.getSettings()).settings.record).toBe(true)
    await shortRun(lab)
    expect(recordings(dir)).toEqual([])
  })

  it('--no-record (enabled: false) wins over a stored "on"', async () => {
    const configDir = fresh('config')
    const dir = fresh('sessions')
    const first = newLab({ configDir, recording: { dir } })
    await first.setRecording({ on: true })
    await first.close()
    const lab = newLab({ configDir, recording: { dir, enabled: false } })
    const status = await lab.setRecording({ on: true })
    expect(status).toMatchObject({ enabled: false, forcedOff: 'this lab was started with recording off (--no-record)' })
    await shortRun(lab)
    expect(recordings(dir)).toEqual([])
  })

  it('a bad value is refused, naming the setting', async () => {
    const lab = newLab({ recording: { dir: fresh('sessions') } })
    await expect(lab.setSettings({ record: 'yes' as unknown as boolean })).rejects.toThrow(
      'record must be true or false.',
    )
  })
})
