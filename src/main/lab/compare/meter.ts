// What a strategy costs the machine while it runs: CPU of the lab process and of its child processes, and the peak of
// (lab RSS growth + children's RSS). Threads live in the lab's RSS; child processes are read from /proc.
import { parseStatText, readProcText, USER_HZ } from '../sampling/linux/procfs'
import { createPlatform } from '../sampling/factory'

const PAGE_BYTES = createPlatform().pageSize
const statBuf = Buffer.alloc(1024)
const SAMPLE_MS = 20

function childStat(pid: number): { cpuMs: number; rss: number } | null {
  const text = readProcText(`/proc/${pid}/stat`, statBuf)
  const times = text === null ? null : parseStatText(text)
  return times ? { cpuMs: ((times.utime + times.stime) * 1000) / USER_HZ, rss: times.rss * PAGE_BYTES } : null
}

export class ResourceMeter {
  private readonly cpu0 = process.cpuUsage()
  private readonly rss0 = process.memoryUsage.rss()
  private peak = 0
  private childCpu = new Map<number, number>()
  private readonly timer: NodeJS.Timeout
  private readonly linux = process.platform === 'linux'

  /** `children` names the pids of the strategy's child processes at any moment. */
  constructor(private readonly children: () => number[]) {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS)
    this.timer.unref()
  }

  sample(): void {
    let mem = process.memoryUsage.rss() - this.rss0
    if (this.linux) {
      for (const pid of this.children()) {
        const s = childStat(pid)
        if (!s) continue
        mem += s.rss
        this.childCpu.set(pid, s.cpuMs)
      }
    }
    this.peak = Math.max(this.peak, mem)
  }

  /** Call before the children are ended: their CPU is read one last time. */
  stop(): { cpuMs: number | null; peakMemBytes: number | null } {
    this.sample()
    clearInterval(this.timer)
    const own = process.cpuUsage(this.cpu0)
    const hasChildren = this.children().length > 0 || this.childCpu.size > 0
    if (hasChildren && !this.linux) return { cpuMs: null, peakMemBytes: null }
    let children = 0
    for (const ms of this.childCpu.values()) children += ms
    return { cpuMs: (own.user + own.system) / 1000 + children, peakMemBytes: this.peak }
  }
}
