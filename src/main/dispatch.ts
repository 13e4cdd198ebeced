// Carries one LabApi command across a boundary (IPC or WebSocket): checks its name and payload, calls the lab, wraps the outcome in a Reply.
import type { CommandName, LabCommands, LabErrorInfo, Reply } from '../shared/contract'
import { COMMANDS, isCommand, LabError, validators } from '../shared/contract'
import { echo, payloadProblem } from '../shared/bounds'

/** Turns anything thrown into an error a person can read: LabErrors keep their shape, the rest become one sentence. */
export function toErrorInfo(err: unknown, cmd?: string): LabErrorInfo {
  if (err instanceof LabError) return err.toInfo()
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : ''
  // First line only: a message must never carry a stack or a dump.
  const line = raw.split('\n')[0].trim().slice(0, 300)
  const what = cmd ? `The lab could not ${cmd}` : 'The lab could not do that'
  const sentence = line ? `${what}: ${line}` : `${what}.`
  return { code: 'failed', message: /[.!?]$/.test(sentence) ? sentence : `${sentence}.` }
}

/** The contract's commands for an error, kept short enough to echo (a reply stays under 400 characters). */
const COMMAND_LIST = COMMANDS.join(' ')

/** Validates `cmd` and `payload` against the shared contract, then runs the command on the lab. Never throws. */
export async function callCommand(lab: LabCommands, cmd: unknown, payload: unknown): Promise<Reply<unknown>> {
  if (!isCommand(cmd)) {
    const message =
      typeof cmd === 'string'
        ? `There is no command ${echo(cmd)}. Commands: ${COMMAND_LIST}.`
        : `The command name is missing. Commands: ${COMMAND_LIST}.`
    return { ok: false, error: { code: 'invalid', message, field: 'cmd' } }
  }
  const tooBig = payloadProblem(payload)
  if (tooBig) return { ok: false, error: { code: 'invalid', message: tooBig, field: 'payload' } }
  const valid = validators[cmd](payload)
  if (!valid.ok) return { ok: false, error: LabError.invalid(valid.errors).toInfo() }
  try {
    const fn = lab[cmd] as (req?: unknown) => Promise<unknown>
    return { ok: true, value: await fn.call(lab, valid.value) }
  } catch (err) {
    if (!(err instanceof LabError)) reportUnexpected(cmd, err)
    return { ok: false, error: toErrorInfo(err, cmd) }
  }
}

/** An error that is not a LabError is a bug: keep its stack for the console, never for the reply. */
function reportUnexpected(cmd: CommandName, err: unknown): void {
  console.error(`[lab] ${cmd} failed:`, err)
}
