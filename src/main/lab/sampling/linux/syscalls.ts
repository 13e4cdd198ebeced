// What a blocked thread waits in, from the number of its current system call (/proc/PID/task/TID/syscall).
import type { BlockReason } from '../../../../shared/model'

/** System call numbers per architecture (asm/unistd_64.h on x86-64, asm-generic/unistd.h on arm64). */
const TABLES: Record<string, Partial<Record<BlockReason, number[]>>> = {
  x64: {
    // futex, futex_waitv; flock (a file lock is a lock too)
    lock: [202, 449, 73],
    // read, write, readv, writev, pread64, pwrite64, poll, select, pselect6, ppoll, epoll_wait, epoll_pwait,
    // epoll_pwait2, recvfrom, recvmsg, sendto, sendmsg, accept, accept4, connect, io_getevents, io_uring_enter, splice, sendfile
    io: [0, 1, 19, 20, 17, 18, 7, 23, 270, 271, 232, 281, 441, 45, 47, 44, 46, 43, 288, 42, 208, 426, 275, 40],
    // nanosleep, clock_nanosleep, pause, rt_sigsuspend, rt_sigtimedwait
    sleep: [35, 230, 34, 130, 128],
  },
  arm64: {
    lock: [98, 449, 32],
    io: [63, 64, 65, 66, 67, 68, 73, 72, 22, 441, 207, 212, 206, 211, 202, 242, 203, 4, 426, 76, 71],
    sleep: [101, 115, 133, 137],
  },
}

function index(arch: string): Map<number, BlockReason> {
  const out = new Map<number, BlockReason>()
  for (const [reason, numbers] of Object.entries(TABLES[arch] ?? {}) as [BlockReason, number[]][])
    for (const n of numbers) out.set(n, reason)
  return out
}

const BY_NUMBER = index(process.arch)

/**
 * The reason for one syscall file's text: "202 0x... sp pc" while in futex, "running" while on a CPU (or not
 * blocked), "-1 sp pc" while blocked outside a system call (a page fault). Null when it says nothing (running, empty).
 */
export function classifySyscall(buf: Buffer, n: number): BlockReason | null {
  if (n <= 0) return null
  const c = buf[0]
  if (c < 0x30 || c > 0x39) return c === 0x2d ? 'other' : null
  let nr = 0
  for (let i = 0; i < n; i++) {
    const d = buf[i]
    if (d < 0x30 || d > 0x39) break
    nr = nr * 10 + (d - 0x30)
  }
  return BY_NUMBER.get(nr) ?? 'other'
}
