// `--record FILE` / `--no-record` on run and watch: where this command's session is recorded, if anywhere.
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { RecordingOptions } from '../lab/recording/session-recorder'
import { UsageError, type OptionSpec } from './command'

export const RECORD_OPTION: OptionSpec = {
  name: 'record',
  type: 'string',
  value: 'FILE',
  help: 'record the session to FILE (default: into the sessions folder, see "lab sessions"); --no-record: not at all',
}

/** The parsed value of --record: a file name, false for --no-record, undefined for the default. */
export function recordingFrom(value: string | boolean | undefined): RecordingOptions {
  if (value === false) return { enabled: false, source: 'cli' }
  if (value === undefined || value === true) return { source: 'cli' }
  const path = resolve(value)
  const dir = dirname(path)
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--record: the folder ${dir} does not exist.`)
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`--record: ${path} is a folder; name a file.`)
  return { file: path, source: 'cli' }
}
