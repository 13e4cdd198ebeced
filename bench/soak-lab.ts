// The lab under soak: one Lab behind the browser mode's WebSocket server, in a process of its own so its RSS, file
// descriptors and threads can be read from /proc. Prints one JSON line with its address, then runs until SIGTERM.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { scenarios } from '../scenarios/index'
import { Lab } from '../src/main/lab/lab'
import { startWebServer } from '../src/main/web/server'

const rendererDir = mkdtempSync(join(tmpdir(), 'soak-renderer-'))
mkdirSync(rendererDir, { recursive: true })
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>soak</title>')
const lab = new Lab({ scenarios, intervalMs: Number(process.env.SOAK_INTERVAL_MS ?? 200) })
const server = await startWebServer({ lab, rendererDir })
process.stdout.write(
  JSON.stringify({ port: server.port, token: server.token, origin: server.origin, pid: process.pid }) + '\n',
)
// How long the lab's event loop was held up (ms), so a long tick gap can be told from a busy loop or a wait for a core.
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()
process.on('SIGTERM', () => {
  delay.disable()
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100
  process.stdout.write(
    JSON.stringify({
      eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    }) + '\n',
  )
  void Promise.allSettled([server.close(), lab.close()]).then(() => process.exit(0))
})
