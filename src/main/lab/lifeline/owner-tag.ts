// The owner tag: every process a lab starts carries PARALLEL_LAB_OWNER=<lab key> in its environment, and its whole
// tree inherits it (children, grandchildren, setsid double-forks), so the lab's supervisor can find them all.

export const OWNER_ENV = 'PARALLEL_LAB_OWNER'

/** A lab instance: its process's PID and start time (so a reused PID is never taken for it), and a nonce (one process may hold several labs). */
export interface LabIdentity {
  pid: number
  startTime: number
  nonce: string
}

export function labKey(id: LabIdentity): string {
  return `lab-${id.pid}-${id.startTime}-${id.nonce}`
}

/** A sub-tag for one program's tree, so the lab can tell which program a stray process belongs to. */
export function programTag(key: string, subTag: string): string {
  return `${key}.${subTag}`
}
