// The preload against a stand-in for Electron's renderer modules: window.lab is exactly the LabApi and nothing more.
import { describe, expect, it, vi } from 'vitest'
import { COMMANDS, EVENTS, subscriptionName } from '../shared/contract'

type Listener = (event: unknown, payload: unknown) => void
const exposed = new Map<string, Record<string, unknown>>()
const listeners = new Map<string, Set<Listener>>()
const invoked: { channel: string; args: unknown[] }[] = []

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args })
      if (channel === 'lab:kill')
        return { ok: false, error: { code: 'invalid', message: 'unitId must be a string.', field: 'unitId' } }
      return { ok: true, value: { pid: 42 } }
    },
    on: (channel: string, fn: Listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(fn)),
    removeListener: (channel: string, fn: Listener) => listeners.get(channel)?.delete(fn),
  },
}))

await import('./index')
const lab = exposed.get('lab') as Record<string, (...args: unknown[]) => unknown>

describe('window.lab', () => {
  it('is the only thing exposed, with one method per command and one subscription per event', () => {
    expect([...exposed.keys()]).toEqual(['lab'])
    expect(Object.keys(lab).sort()).toEqual([...COMMANDS, ...EVENTS.map(subscriptionName)].sort())
    expect(Object.values(lab).every((v) => typeof v === 'function')).toBe(true)
  })

  it('calls its own channel with the payload and unwraps the reply', async () => {
    expect(await lab.snapshot()).toEqual({ pid: 42 })
    expect(await lab.setLock({ runId: 'r1', on: true })).toEqual({ pid: 42 })
    expect(invoked).toEqual([
      { channel: 'lab:snapshot', args: [undefined] },
      { channel: 'lab:setLock', args: [{ runId: 'r1', on: true }] },
    ])
  })

  it('rejects with the LabErrorInfo as a plain object, so its fields cross the context bridge', async () => {
    await expect(lab.kill({ unitId: 3 })).rejects.toEqual({
      code: 'invalid',
      message: 'unitId must be a string.',
      field: 'unitId',
    })
  })

  it('onTick delivers payloads (not the IPC event) and its unsubscribe removes the listener', () => {
    const got: unknown[] = []
    const off = lab.onTick((t: unknown) => got.push(t)) as () => void
    const [listener] = listeners.get('lab:event:tick')!
    listener({ sender: 'secret' }, { t: 1 })
    expect(got).toEqual([{ t: 1 }])
    off()
    expect(listeners.get('lab:event:tick')!.size).toBe(0)
    expect(() => lab.onTick('nope')).toThrow('onTick needs a function.')
  })
})
