// The app's settings on disk: one JSON file in the user's config folder, written atomically, never a reason to crash.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { defaultSettings, settingsFrom, type Settings, type SettingsState } from '../../../shared/settings'

export const CONFIG_DIR_ENV = 'PARALLEL_LAB_CONFIG_DIR'
export const SETTINGS_FILE = 'settings.json'

/** The user's config folder for the app: $PARALLEL_LAB_CONFIG_DIR, else the platform's usual place. */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env[CONFIG_DIR_ENV]) return env[CONFIG_DIR_ENV]
  const home = os.homedir()
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Parallel Lab')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Parallel Lab')
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'parallel-lab')
}

/**
 * Settings kept in `dir`/settings.json. A file that is not JSON (or not an object) is renamed aside to
 * settings.corrupt-<time>.json and the defaults are used; the notice says so once. Writes go to a temporary file that
 * is flushed and renamed over the old one, so a crash mid-write leaves the previous settings whole.
 */
export class SettingsFile {
  readonly file: string | null
  private current: Settings
  private notice: string | null = null

  /** `dir` null: kept in memory only (labs of the command line and of tests). */
  constructor(readonly dir: string | null) {
    this.file = dir === null ? null : join(dir, SETTINGS_FILE)
    this.current = this.load()
  }

  /** The settings, and (until read once) what happened to a file that could not be used. */
  state(): SettingsState {
    const out = { settings: structuredClone(this.current), notice: this.notice }
    this.notice = null
    return out
  }

  get settings(): Settings {
    return this.current
  }

  /** Applies an already validated patch and stores the result. */
  update(patch: Partial<Settings>): Settings {
    this.current = { ...this.current, ...structuredClone(patch) }
    this.save()
    return structuredClone(this.current)
  }

  reset(): Settings {
    this.current = defaultSettings()
    this.save()
    return structuredClone(this.current)
  }

  private load(): Settings {
    if (this.file === null) return defaultSettings()
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.notice = `Your settings could not be read (${(err as Error).message.split('\n')[0]}); the defaults are in use.`
      return defaultSettings()
    }
    let stored: unknown
    try {
      stored = JSON.parse(text)
    } catch {
      return this.setAside('it is not valid JSON')
    }
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored))
      return this.setAside('it does not hold an object of settings')
    const { settings, dropped } = settingsFrom(stored as Record<string, unknown>)
    if (dropped.length)
      this.notice = `Some settings could not be used and are back to their defaults: ${dropped.join(', ')}.`
    return settings
  }

  private setAside(why: string): Settings {
    if (this.dir === null || this.file === null) return defaultSettings()
    const aside = join(this.dir, `settings.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
    try {
      renameSync(this.file, aside)
      this.notice = `Your settings file could not be read (${why}). It was set aside as ${aside}, and the defaults are in use.`
    } catch (err) {
      this.notice = `Your settings file could not be read (${why}) nor set aside (${(err as Error).message.split('\n')[0]}); the defaults are in use.`
    }
    return defaultSettings()
  }

  private save(): void {
    if (this.dir === null || this.file === null) return
    mkdirSync(this.dir, { recursive: true })
    const tmp = `${this.file}.${process.pid}.tmp`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, JSON.stringify(this.current, null, 2) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.file)
  }
}
