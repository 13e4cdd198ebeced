// Whether a sleeping thread is blocked on a lock: the kernel function it waits in (wchan), else its current syscall.
import { readFileSync } from 'node:fs'

/** futex(2) on the architectures the lab runs on. */
const FUTEX_SYSCALL: Partial<Record<string, number>> = { x64: 202, arm64: 98, ia32: 240, arm: 240 }

/**
 * 'futex' when the thread waits on a futex (a lock, a condition, a join), 'other' when it sleeps on something else
 * (a read, a timer), null when it cannot be told (gone, or not readable).
 */
export function blockedOn(pid: number, tid: number): 'futex' | 'other' | null {
  const base = `/proc/${pid}/task/${tid}`
  try {
    const wchan = readFileSync(`${base}/wchan`, 'latin1').trim()
    if (wchan && wchan !== '0') return wchan.includes('futex') ? 'futex' : 'other'
  } catch {
    // Fall through to the syscall.
  }
  try {
    const nr = Number(readFileSync(`${base}/syscall`, 'latin1').split(' ')[0])
    if (!Number.isFinite(nr)) return null
    return nr === FUTEX_SYSCALL[process.arch] ? 'futex' : 'other'
  } catch {
    return null
  }
}
