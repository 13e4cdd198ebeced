// `--record FILE` / `--no-record` on run and watch: where this command's session is recorded, if anywhere.
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { RecordingOptions } from '../lab/recording/session-recorder'
import { take, UsageError, type ParsedArgs } from './args'

export const RECORD_OPTIONS = ['record', 'no-record'] as const

export function recordingOption(args: ParsedArgs): RecordingOptions {
  const file = take(args, 'record')
  const off = take(args, 'no-record') === true
  if (off && file !== undefined) throw new UsageError('--record and --no-record cannot be used together.')
  if (off) return { enabled: false, source: 'cli' }
  if (file === undefined) return { source: 'cli' }
  if (typeof file !== 'string' || file.trim() === '') throw new UsageError('--record needs a file name.')
  const path = resolve(file)
  const dir = dirname(path)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--record: the folder ${dir} does not exist.`)
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--record: ${path} is a folder; name a file.`)
  return { file: path, source: 'cli' }
}
