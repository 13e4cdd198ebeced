// The kernel's parent-death signal, reached from Node through util-linux's setpriv: a child started as
// `setpriv --pdeathsig SIGKILL -- program` is SIGKILLed the moment the lab dies, even by SIGKILL, even in the middle of a
// long synchronous task. setpriv execs the program, so the PID is the program's. Linux only.
import { accessSync, constants } from 'node:fs'

export const SETPRIV = '/usr/bin/setpriv'

export const hasSetpriv = ((): boolean => {
  if (process.platform !== 'linux') return false
  try {
    accessSync(SETPRIV, constants.X_OK)
    return true
  } catch {
    return false
  }
})()

/** The arguments that put setpriv in front of `file`. */
export function parentDeathArgs(file: string, args: readonly string[] = []): string[] {
  return ['--pdeathsig', 'SIGKILL', '--', file, ...args]
}
