// What the OS state letters and a time split mean in words: shared by the CLI and the window, so both say the same.
import type { BlockReason, TimeSplit } from './model'
import { BLOCK_REASONS } from './model'

/** proc(5)'s state letters, as a person would say them. */
export const OS_STATES: Readonly<Record<string, string>> = {
  R: 'runnable: on a CPU or waiting for one',
  S: 'sleeping: waiting for an event (a lock, I/O, a timer)',
  D: 'uninterruptible wait (usually disk I/O)',
  T: 'stopped by a signal',
  t: 'stopped by a debugger',
  Z: 'zombie: ended, not yet reaped by its parent',
  X: 'dead',
  I: 'idle kernel thread',
}

export const BLOCK_WORDS: Readonly<Record<BlockReason, string>> = {
  lock: 'a lock or condition (futex)',
  io: 'I/O (read, poll, epoll)',
  sleep: 'a sleep',
  other: 'something else',
}

/** The mean of several splits (each a thread's, summing to 100), or null when there are none. */
export function meanSplit(splits: readonly TimeSplit[]): TimeSplit | null {
  if (splits.length === 0) return null
  const n = splits.length
  const blockedOn = { lock: 0, io: 0, sleep: 0, other: 0 }
  let onCpu = 0
  let runqueue = 0
  let blocked = 0
  for (const s of splits) {
    onCpu += s.onCpu / n
    runqueue += s.runqueue / n
    blocked += s.blocked / n
    for (const r of BLOCK_REASONS) blockedOn[r] += s.blockedOn[r] / n
  }
  return { onCpu, runqueue, blocked, blockedOn }
}

/** The reason that took most of the blocked time. */
export function mainBlock(split: TimeSplit): BlockReason {
  return BLOCK_REASONS.reduce((a, r) => (split.blockedOn[r] > split.blockedOn[a] ? r : a), BLOCK_REASONS[0])
}

const pct = (v: number): string => `${Math.round(v)} %`

/**
 * One plain sentence on why a run is not faster, from the mean split of its busy threads: on a CPU, waiting for a CPU
 * (more busy threads than cores), or blocked, and on what. `threads` is how many threads the mean is over.
 */
export function whyNotFaster(split: TimeSplit, threads: number, cores: number): string {
  const who = threads === 1 ? 'Its busy thread is' : `Its ${threads} busy threads are each, on average,`
  const base = `${who} on a CPU ${pct(split.onCpu)} of the time, waiting for a CPU ${pct(split.runqueue)} and blocked ${pct(split.blocked)}`
  const reason = mainBlock(split)
  const blockedOn = split.blocked >= 5 ? `, mostly on ${BLOCK_WORDS[reason]}` : ''
  let why: string
  if (split.onCpu >= 85) why = 'It is limited by the CPU work itself: more cores or less work would make it faster.'
  else if (split.runqueue >= split.blocked && split.runqueue >= 20) {
    why = `It wants more cores than there are: ${threads > cores ? `${threads} busy threads share ${cores} cores` : 'other work holds the cores'}, so each waits its turn.`
  } else if (reason === 'lock' && split.blockedOn.lock >= 20) {
    why =
      'They take turns on a lock: only one can go at a time (in Python CPU work, that lock is the GIL), so adding threads does not add speed.'
  } else if (reason === 'io' && split.blockedOn.io >= 20)
    why = 'It is bound by I/O: the threads wait for data, not for a CPU; more threads overlap more waiting.'
  else if (reason === 'sleep' && split.blockedOn.sleep >= 20) why = 'It mostly sleeps: it waits on timers, not on work.'
  else why = 'No single cause dominates.'
  return `${base}${blockedOn}. ${why}`
}
