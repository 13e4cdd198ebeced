import { describe, expect, it } from 'vitest'
import { LabError } from '../../shared/contract'
import { socketUrl, toLabError } from './api'

describe('toLabError', () => {
  it('keeps a LabError and rebuilds one from the info a transport carries', () => {
    const e = new LabError('conflict', 'Run r1 has already ended (done).', 'runId')
    expect(toLabError(e)).toBe(e)
    const info = toLabError({ code: 'invalid', message: 'workers must be a whole number from 1 to 16 (got 99).', field: 'workers', errors: [{ field: 'workers', message: 'x' }] })
    expect(info).toBeInstanceOf(LabError)
    expect(info).toMatchObject({ code: 'invalid', field: 'workers', errors: [{ field: 'workers', message: 'x' }] })
  })

  it("strips Electron's remote-method prefix so the sentence reads on its own", () => {
    const e = toLabError(new Error("Error invoking remote method 'lab:start': Error: There is no scenario \"x\"."))
    expect(e.code).toBe('failed')
    expect(e.message).toBe('There is no scenario "x".')
  })
})

describe('socketUrl', () => {
  it('repeats the page token on the socket path, with the matching scheme', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:5123', search: '?token=a-b_c' })).toBe('ws://127.0.0.1:5123/ws?token=a-b_c')
    expect(socketUrl({ protocol: 'https:', host: 'localhost:1', search: '' })).toBe('wss://localhost:1/ws?token=')
  })
})
