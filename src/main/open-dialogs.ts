// The desktop app's Open dialogs (Electron's dialog module, in the main process): a program file, a session recording.
import { BrowserWindow, dialog, type OpenDialogOptions } from 'electron'
import { FILE_EXTENSION } from '../shared/recording/format'

async function pickOne(options: OpenDialogOptions): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow()
  const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
  return picked.canceled ? null : (picked.filePaths[0] ?? null)
}

/** "Open program…": a program file (.json), a Python script or an executable. */
export function pickProgramFile(): Promise<string | null> {
  return pickOne({
    title: 'Open a program',
    properties: ['openFile'],
    filters: [
      { name: 'Programs', extensions: ['json', 'py', '*'] },
      { name: 'Python scripts', extensions: ['py'] },
    ],
  })
}

/** "Open recording…": a session recording; the lab checks it before anything is copied. */
export function pickRecordingFile(): Promise<string | null> {
  return pickOne({
    title: 'Open a recording',
    properties: ['openFile'],
    filters: [
      { name: 'Parallel Lab recordings', extensions: [FILE_EXTENSION.slice(1)] },
      { name: 'All files', extensions: ['*'] },
    ],
  })
}
