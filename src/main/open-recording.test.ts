// File > Open recording… in the desktop app: the `openRecording` IPC handler with a real Lab and real recordings.
// No Electron runtime can start here, so Electron's `dialog`, `BrowserWindow` and `ipcMain` are stand-ins at that
// boundary only: the dialog hands back the path a person would have picked, and records what it was asked to show.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { SessionInfo } from '../shared/recording/format'

type Handler = (event: unknown, payload: unknown) => Promise<unknown>
const handlers = new Map<string, Handler>()
const shown: { parent: unknown; options: { title: string; properties: string[]; filters: unknown[] } }[] = []
let answer: { canceled: boolean; filePaths: string[] } = { canceled: true, filePaths: [] }
const focused = { id: 'main window' }

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: Handler) => handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
  BrowserWindow: { getFocusedWindow: () => focused },
  dialog: {
    showOpenDialog: async (parent: unknown, options: (typeof shown)[number]['options']) => {
      shown.push({ parent, options })
      return answer
    },
  },
}))

const { bindLabToIpc } = await import('./ipc')
const { pickRecordingFile } = await import('./open-dialogs')
const { Lab } = await import('./lab/lab')
const { scenarios } = await import('../../scenarios/index')

const APP = 'app://lab/index.html'
const appFrame = { senderFrame: { url: APP, parent: null } }
const base = mkdtempSync(join(tmpdir(), 'plab-open-rec-'))
const sessionsDir = join(base, 'sessions')
const elsewhere = join(base, 'downloads')
let recording: string
let lab: InstanceType<typeof Lab>
let unbind: () => void

const call = (event: unknown, payload?: unknown): Promise<unknown> => handlers.get('lab:openRecording')!(event, payload)

beforeAll(async () => {
  // A real recording, made by a real lab running counters, saved somewhere outside the sessions folder.
  recording = join(base, 'made.plrec')
  const maker = new Lab({ scenarios, intervalMs: 100, recording: { file: recording } })
  const run = await maker.start({ scenario: 'counters', params: { mode: 'thread', from: 10, delay: 10 } })
  await maker.wait(run.id)
  await maker.close()
  mkdirSync(elsewhere, { recursive: true })
  copyFileSync(recording, join(elsewhere, 'lock on.plrec'))
  writeFileSync(join(elsewhere, 'notes.plrec'), 'these are notes, not a recording\n')

  lab = new Lab({ scenarios, intervalMs: 100, recording: { dir: sessionsDir }, pickRecordingFile })
  unbind = bindLabToIpc(lab, { isAppUrl: (url) => url.startsWith('app://lab/'), targets: () => [] })
})

afterAll(async () => {
  unbind()
  await lab.close()
})

describe('openRecording over IPC (dialog stubbed at the Electron boundary)', () => {
  it('shows the Open dialog on the focused window for one .plrec file; the pick is checked, copied and listed', async () => {
    answer = { canceled: false, filePaths: [join(elsewhere, 'lock on.plrec')] }
    const reply = (await call(appFrame)) as { ok: true; value: SessionInfo }
    expect(shown).toHaveLength(1)
    expect(shown[0].parent).toBe(focused)
    expect(shown[0].options.title).toBe('Open a recording')
    expect(shown[0].options.properties).toEqual(['openFile'])
    expect(shown[0].options.filters[0]).toEqual({ name: 'Parallel Lab recordings', extensions: ['plrec'] })
    expect(reply.ok).toBe(true)
    expect(reply.value.what).toBe('counters')
    expect(reply.value.name).toMatch(/_opened-lock-on\.plrec$/)
    expect(readdirSync(sessionsDir)).toEqual([reply.value.name])
    // It opens for replay like any recording of the folder.
    const info = await lab.openSession({ name: reply.value.name })
    expect(info.tickTimes.length).toBeGreaterThan(2)
  })

  it('a recording already in the sessions folder is listed as it is, not copied again', async () => {
    const [name] = readdirSync(sessionsDir)
    answer = { canceled: false, filePaths: [join(sessionsDir, name)] }
    const reply = (await call(appFrame)) as { ok: true; value: SessionInfo }
    expect(reply.value.name).toBe(name)
    expect(readdirSync(sessionsDir)).toEqual([name])
  })

  it('cancelling gives null; a file that is not a recording is refused in one sentence and nothing is written', async () => {
    answer = { canceled: true, filePaths: [] }
    expect(await call(appFrame)).toEqual({ ok: true, value: null })
    answer = { canceled: false, filePaths: [join(elsewhere, 'notes.plrec')] }
    expect(await call(appFrame)).toEqual({
      ok: false,
      error: {
        code: 'invalid',
        message:
          'notes.plrec is not a Parallel Lab recording (it does not start with the PARALLEL-LAB-RECORDING header).',
        field: 'file',
      },
    })
    answer = { canceled: false, filePaths: [join(elsewhere, 'gone.plrec')] }
    const gone = (await call(appFrame)) as { ok: false; error: { message: string } }
    expect(gone.error.message).toMatch(/^gone\.plrec cannot be opened: ENOENT/)
    expect(readdirSync(sessionsDir)).toHaveLength(1)
  })

  it('another page, a subframe or a payload is refused before any dialog is shown', async () => {
    const before = shown.length
    expect(await call({ senderFrame: { url: 'https://evil.example/', parent: null } })).toMatchObject({ ok: false })
    expect(await call({ senderFrame: { url: APP, parent: { url: APP } } })).toMatchObject({ ok: false })
    expect(await call(appFrame, { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: 'This command takes no payload.' },
    })
    expect(shown.length).toBe(before)
  })

  it('without the desktop app (no dialog), the lab says where to open a recording instead', async () => {
    const plain = new Lab({ scenarios, intervalMs: 100, autoStart: false, recording: { enabled: false } })
    await expect(plain.openRecording()).rejects.toThrow(/drop the \.plrec file onto the window/)
    await plain.close()
  })
})
