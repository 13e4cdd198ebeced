// The lab's supervisor: a small process of its own (built to out/lab/supervisor.mjs) tied to the lab by its IPC pipe.
// When the pipe closes, whatever killed the lab (SIGKILL, a crash, the session ending), it ends every process the lab
// started and all their descendants, then leaves. Until then it follows their trees once a second.
import { OWNER_ENV } from './owner-tag'
import { descendantsOf, hasProcFs, listProcesses, processesTagged, type ProcIdentity } from '../sampling/linux/lineage'
import type { FromSupervisor, ToSupervisor } from './supervisor-protocol'

const key = process.argv[2] ?? ''
const TRACK_MS = 1000
/** Rounds of a sweep: a process forking as it is killed leaves a child that the next round finds. */
const SWEEP_ROUNDS = 30
const SWEEP_QUIET_ROUNDS = 3
const SWEEP_STEP_MS = 40

/** pid -> start time (-1 where it cannot be read): what the lab started and what the supervisor saw descend from it. */
const owned = new Map<number, number>()

// Signals meant for the lab's terminal or group are not for the supervisor: it leaves when the pipe closes.
for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.on(signal, () => undefined)

function send(msg: FromSupervisor): void {
  process.send?.(msg)
}

function kill(pid: number): boolean {
  if (pid === process.pid || pid <= 1) return false
  try {
    process.kill(pid, 'SIGKILL')
    return true
  } catch {
    return false
  }
}

function ownedAlive(procs: readonly ProcIdentity[]): ProcIdentity[] {
  return procs.filter((p) => owned.get(p.pid) === p.startTime)
}

/** Follows the trees: remembers descendants while they still hang below a known process (a setsid child included). */
function track(): void {
  if (!hasProcFs || owned.size === 0) return
  const procs = listProcesses()
  const alive = ownedAlive(procs)
  const live = new Set(alive.map((p) => p.pid))
  for (const pid of [...owned.keys()]) if (!live.has(pid)) owned.delete(pid)
  for (const d of descendantsOf(live, procs)) owned.set(d.pid, d.startTime)
}

function sweepOnce(): number {
  if (!hasProcFs) {
    let n = 0
    for (const pid of owned.keys()) if (kill(pid)) n++
    owned.clear()
    return n
  }
  const procs = listProcesses()
  const targets = new Map<number, ProcIdentity>()
  for (const p of key ? processesTagged(OWNER_ENV, key, procs) : []) targets.set(p.pid, p)
  for (const p of ownedAlive(procs)) targets.set(p.pid, p)
  for (const p of descendantsOf(targets.keys(), procs)) targets.set(p.pid, p)
  let n = 0
  for (const p of targets.values()) if (kill(p.pid)) n++
  return n
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function sweep(): number {
  let ended = 0
  let quiet = 0
  for (let round = 0; round < SWEEP_ROUNDS && quiet < SWEEP_QUIET_ROUNDS; round++) {
    const n = sweepOnce()
    ended += n
    quiet = n === 0 ? quiet + 1 : 0
    sleepSync(SWEEP_STEP_MS)
  }
  return ended
}

process.on('message', (raw) => {
  const msg = raw as ToSupervisor
  if (msg.t === 'own') owned.set(msg.pid, msg.startTime)
  else if (msg.t === 'gone') owned.delete(msg.pid)
  else if (msg.t === 'sweep') send({ t: 'swept', id: msg.id, ended: sweep() })
})

process.on('disconnect', () => {
  sweep()
  process.exit(0)
})

setInterval(track, TRACK_MS)
send({ t: 'ready', pid: process.pid })
