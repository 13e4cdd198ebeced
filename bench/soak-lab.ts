// The lab under soak: one Lab behind the browser mode's WebSocket server, in a process of its own so its RSS, file
// descriptors and threads can be read from /proc. Prints one JSON line with its address, then runs until SIGTERM.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
process.on('SIGTERM', () => void Promise.allSettled([server.close(), lab.close()]).then(() => process.exit(0)))
