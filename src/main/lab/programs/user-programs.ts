// A person's own programs: one JSON file each in ~/.parallel-lab/programs/ ({id, title, command, args}), run like scenarios.
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { basename, extname, join, sep } from 'node:path'
import type { ScenarioDefinition } from '../scenario-api'
import { programScenario } from './program-scenario'

export const PROGRAMS_DIR_ENV = 'PARALLEL_LAB_PROGRAMS_DIR'

export function userProgramsDir(): string {
  return process.env[PROGRAMS_DIR_ENV] ?? join(homedir(), '.parallel-lab', 'programs')
}

interface ProgramFile {
  id: string
  title: string
  command: string
  args: string[]
  summary?: string
  cwd?: string
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Checks one file's content; returns the program or a sentence saying what is wrong. */
export function parseProgramFile(text: string): ProgramFile | string {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (err) {
    // Never the parser's own message: it quotes the file's text, which may be anything a link pointed to.
    const at = /line (\d+) column (\d+)/.exec((err as Error).message) ?? /position (\d+)/.exec((err as Error).message)
    return `it is not valid JSON${at ? (at.length === 3 ? ` (line ${at[1]}, column ${at[2]})` : ` (at character ${at[1]})`) : ''}.`
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'it must hold one object {id, title, command, args}.'
  const o = v as Record<string, unknown>
  if (typeof o.id !== 'string' || !ID.test(o.id)) return 'id must be lower-case letters, digits and dashes.'
  if (typeof o.title !== 'string' || !o.title.trim()) return 'title must be a non-empty string.'
  if (typeof o.command !== 'string' || !o.command.trim())
    return 'command must be a non-empty string (a program, not a shell line).'
  if (o.args !== undefined && (!Array.isArray(o.args) || !o.args.every((a) => typeof a === 'string')))
    return 'args must be a list of strings.'
  if (o.summary !== undefined && typeof o.summary !== 'string') return 'summary must be a string.'
  if (o.cwd !== undefined && typeof o.cwd !== 'string') return 'cwd must be a string.'
  return {
    id: o.id,
    title: o.title,
    command: o.command,
    args: (o.args as string[] | undefined) ?? [],
    summary: o.summary as string | undefined,
    cwd: o.cwd as string | undefined,
  }
}

/** A program file is a few hundred bytes. */
export const PROGRAM_FILE_MAX_BYTES = 64 * 1024

/**
 * A program file checked and parsed, or a sentence saying why it cannot be used: a symbolic link that leads out of the
 * folder, not a regular file, too big, unreadable or not a program. Its contents never go into a reason.
 */
function readProgramFile(dir: string, file: string): ProgramFile | string {
  try {
    const real = realpathSync(join(dir, file))
    if (!real.startsWith(realpathSync(dir) + sep))
      return 'it is a symbolic link out of the programs folder, which is not followed.'
    const st = statSync(real)
    if (!st.isFile()) return 'it is not a regular file.'
    if (st.size > PROGRAM_FILE_MAX_BYTES) return `it is larger than ${PROGRAM_FILE_MAX_BYTES / 1024} KiB.`
    return parseProgramFile(readFileSync(real, 'utf8'))
  } catch (err) {
    return `it cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`
  }
}

/** Reads the folder afresh (it is small); files that cannot be used are listed as unavailable, with the reason. */
export function loadUserPrograms(taken: ReadonlySet<string>, dir = userProgramsDir()): ScenarioDefinition[] {
  if (!existsSync(dir)) return []
  let files: string[]
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  } catch {
    return []
  }
  const out: ScenarioDefinition[] = []
  const ids = new Set(taken)
  for (const file of files) {
    let parsed = readProgramFile(dir, file)
    if (typeof parsed !== 'string' && ids.has(parsed.id)) parsed = `its id "${parsed.id}" is already taken.`
    const program = parsed
    const reason = typeof program === 'string' ? `${join(dir, file)} cannot be used: ${program}` : null
    const id =
      typeof program === 'string'
        ? `file-${file
            .replace(/\.json$/, '')
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, '-')}`
        : program.id
    ids.add(id)
    out.push(
      programScenario({
        id,
        title: typeof program === 'string' ? file : program.title,
        section: 'My programs',
        summary:
          typeof program === 'string' ? reason! : (program.summary ?? [program.command, ...program.args].join(' ')),
        params: [],
        runtime: 'program',
        label: typeof program === 'string' ? file : program.id,
        availability: () => ({ available: reason === null, reason }),
        command: () => {
          if (typeof program === 'string') throw new Error(reason!)
          return { command: program.command, args: program.args, cwd: program.cwd }
        },
      }),
    )
  }
  return out
}

/** An id from a file name: lower-case letters, digits and dashes. */
function idFrom(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
  return id || 'program'
}

/**
 * Adds the file a person picked to their programs folder: a program file (.json) is checked and copied, a Python
 * script gets a program file that runs it with `python`, an executable one that runs it as it is.
 * Returns the new program's id; throws a sentence naming what is wrong with the file.
 */
export function importProgramFile(
  file: string,
  python: string,
  taken: ReadonlySet<string>,
  dir = userProgramsDir(),
): string {
  let program: ProgramFile
  if (extname(file).toLowerCase() === '.json') {
    const parsed = parseProgramFile(readFileSync(file, 'utf8'))
    if (typeof parsed === 'string') throw new Error(`${file} is not a program file: ${parsed}`)
    program = parsed
  } else if (extname(file).toLowerCase() === '.py') {
    program = { id: idFrom(basename(file, extname(file))), title: basename(file), command: python, args: [file] }
  } else {
    try {
      accessSync(file, constants.X_OK)
    } catch {
      throw new Error(`${file} is neither a program file (.json), a Python script (.py), nor an executable program.`)
    }
    program = { id: idFrom(basename(file)), title: basename(file), command: file, args: [] }
  }
  const existing = new Set([...taken, ...(existsSync(dir) ? readdirSync(dir).map((f) => basename(f, '.json')) : [])])
  let id = program.id
  for (let n = 2; existing.has(id); n++) id = `${program.id}-${n}`
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...program, id }, null, 2) + '\n')
  return id
}
