// Messages between a lab and its supervisor process.

export type ToSupervisor =
  /** A process the lab started (a unit or a program's root); its tree is followed from now on. */
  | { t: 'own'; pid: number; startTime: number }
  /** It ended (used where start times cannot be read). */
  | { t: 'gone'; pid: number }
  /** End every owned or tagged process now (the lab's own shutdown), and say how many. */
  | { t: 'sweep'; id: number }

export type FromSupervisor = { t: 'ready'; pid: number } | { t: 'swept'; id: number; ended: number }
