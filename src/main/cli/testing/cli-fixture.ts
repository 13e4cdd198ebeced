// Test helper: runs the CLI's main() in process, capturing its output lines, stderr and exit status.
import { vi } from 'vitest'
import { main } from '../index'

export async function runMain(argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = []
  let err = ''
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk)
    return true
  })
  try {
    return { code: await main(argv, (l) => out.push(l)), out, err }
  } finally {
    spy.mockRestore()
  }
}
