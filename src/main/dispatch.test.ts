// callCommand: the one path every IPC and WebSocket call takes to the lab.
import { describe, expect, it } from 'vitest'
import type { LabCommands } from '../shared/contract'
import { LabError } from '../shared/contract'
import { callCommand, toErrorInfo } from './dispatch'

const calls: unknown[] = []
const fake = {
  snapshot: async () => ({ pid: 1 }),
  kill: async (req: { unitId: string }) => {
    calls.push(req)
    if (req.unitId === 'boom')
      throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at Lab.kill (lab.ts:1:1)")
    if (req.unitId === 'gone') throw new LabError('not-found', 'There is no unit "gone".', 'unitId')
  },
} as unknown as LabCommands

describe('callCommand', () => {
  it('passes a valid payload through and wraps the value', async () => {
    expect(await callCommand(fake, 'snapshot', undefined)).toEqual({ ok: true, value: { pid: 1 } })
    expect(await callCommand(fake, 'kill', { unitId: 'u1' })).toEqual({ ok: true, value: undefined })
    expect(calls).toEqual([{ unitId: 'u1' }])
  })

  it('stops a bad payload before the lab, naming the field', async () => {
    calls.length = 0
    expect(await callCommand(fake, 'kill', { unitId: 3 })).toMatchObject({
      ok: false,
      error: { code: 'invalid', field: 'unitId', message: 'unitId must be a string (got 3).' },
    })
    expect(await callCommand(fake, 'kill', { unitId: 'u', extra: 1 })).toMatchObject({
      ok: false,
      error: { field: 'extra' },
    })
    expect(await callCommand(fake, 'snapshot', { any: 1 })).toMatchObject({
      ok: false,
      error: { message: 'This command takes no payload.' },
    })
    expect(calls).toEqual([])
  })

  it('refuses names outside the contract, including inherited ones', async () => {
    for (const name of ['constructor', 'close', '__proto__', 42, undefined]) {
      const reply = await callCommand(fake, name, undefined)
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid', field: 'cmd' } })
    }
  })

  it('keeps a LabError as it is and turns anything else into one sentence without a stack', async () => {
    expect(await callCommand(fake, 'kill', { unitId: 'gone' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no unit "gone".', field: 'unitId', errors: undefined },
    })
    const origError = console.error
    console.error = () => undefined
    const reply = await callCommand(fake, 'kill', { unitId: 'boom' })
    console.error = origError
    expect(reply).toEqual({
      ok: false,
      error: { code: 'failed', message: "The lab could not kill: Cannot read properties of undefined (reading 'x')." },
    })
  })

  it('toErrorInfo copes with throws that are not errors', () => {
    expect(toErrorInfo(undefined)).toEqual({ code: 'failed', message: 'The lab could not do that.' })
    expect(toErrorInfo('disk full', 'start')).toEqual({
      code: 'failed',
      message: 'The lab could not start: disk full.',
    })
  })
})
