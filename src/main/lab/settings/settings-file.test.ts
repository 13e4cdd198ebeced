// Settings on disk: kept across labs, validated, reset, and a corrupt file set aside with a notice instead of a crash.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LabError } from '../../../shared/contract'
import { DEFAULT_SETTINGS } from '../../../shared/settings'
import { useLabs } from '../testing/lab-fixture'
import { configDir, SettingsFile } from './settings-file'

const dirs: string[] = []
const freshDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'settings-'))
  dirs.push(d)
  return d
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
const newLab = useLabs()

describe('settings', () => {
  it('survive a new lab: interval (also set through setSamplingInterval), sort, theme, window', async () => {
    const dir = freshDir()
    const first = newLab({ configDir: dir, intervalMs: undefined })
    await first.setSamplingInterval({ ms: 250 })
    await first.setSettings({
      sort: { key: 'pid', dir: 1 },
      theme: 'dark',
      window: { x: 10, y: 20, width: 900, height: 700, maximized: false },
    })
    await first.close()
    const second = newLab({ configDir: dir, intervalMs: undefined })
    const { settings, notice } = await second.getSettings()
    expect(notice).toBeNull()
    expect(settings).toMatchObject({
      intervalMs: 250,
      sort: { key: 'pid', dir: 1 },
      theme: 'dark',
      window: { width: 900 },
    })
    expect((await second.snapshot()).intervalMs).toBe(250)
    const reset = await second.resetSettings()
    expect(reset).toEqual(DEFAULT_SETTINGS)
    expect((await second.snapshot()).intervalMs).toBe(DEFAULT_SETTINGS.intervalMs)
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual(DEFAULT_SETTINGS)
  })

  it('refuses a bad value or an unknown key, naming it; nothing is stored', async () => {
    const dir = freshDir()
    const lab = newLab({ configDir: dir })
    for (const [patch, field] of [
      [{ theme: 'purple' }, 'theme'],
      [{ intervalMs: 7 }, 'intervalMs'],
      [{ sort: { key: 'colour', dir: 1 } }, 'sort'],
      [{ hiddenColumns: ['kind', 'kind'] }, 'hiddenColumns'],
      [{ fontSize: 3 }, 'fontSize'],
    ] as const) {
      const err = await lab.setSettings(patch as never).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LabError)
      expect((err as LabError).field).toBe(field)
    }
    expect(existsSync(join(dir, 'settings.json'))).toBe(false)
  })

  it('a corrupt file is set aside, the defaults are used, and the notice says where it went (once)', () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'settings.json'), '{"theme": "dark", ')
    const file = new SettingsFile(dir)
    const first = file.state()
    expect(first.settings).toEqual(DEFAULT_SETTINGS)
    expect(first.notice).toMatch(
      /could not be read \(it is not valid JSON\)\. It was set aside as .*settings\.corrupt-.*\.json/,
    )
    expect(readdirSync(dir).some((f) => f.startsWith('settings.corrupt-'))).toBe(true)
    expect(existsSync(join(dir, 'settings.json'))).toBe(false)
    expect(file.state().notice).toBeNull()
    // A readable file with one bad value keeps the rest.
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ theme: 'light', intervalMs: 'fast' }))
    const partial = new SettingsFile(dir).state()
    expect(partial.settings.theme).toBe('light')
    expect(partial.settings.intervalMs).toBe(DEFAULT_SETTINGS.intervalMs)
    expect(partial.notice).toMatch(/intervalMs/)
  })

  it('the config folder follows PARALLEL_LAB_CONFIG_DIR, else the platform', () => {
    expect(configDir({ PARALLEL_LAB_CONFIG_DIR: '/tmp/x' })).toBe('/tmp/x')
    expect(configDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/parallel-lab')
    expect(configDir({}, 'darwin')).toMatch(/Library\/Application Support\/Parallel Lab$/)
  })
})
