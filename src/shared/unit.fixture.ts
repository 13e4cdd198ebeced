// A Unit record for tests, with the fields a test does not care about filled in.
import type { Unit } from './model'

export function fakeUnit(id: string, patch: Partial<Unit> = {}): Unit {
  return {
    id,
    kind: 'thread',
    pid: 100,
    tid: null,
    parent: 'u0',
    label: id,
    runId: 'r1',
    createdAt: 0,
    endedAt: null,
    spawned: true,
    state: 'running',
    exitCode: null,
    signal: null,
    error: null,
    command: null,
    ...patch,
  }
}
