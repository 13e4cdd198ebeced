// The Node cpu-vs-io lesson with default parameters, for real: its "no GIL" check needs a spare core, so it runs with
// the tests that read CPU % (one file at a time; it can fail while other work holds the machine's cores).
import { describe, expect, it } from 'vitest'
import { useLabs } from '../src/main/lab/testing/lab-fixture'
import { verdictOf } from '../src/shared/lessons/lessons'

const newLab = useLabs()

describe('cpu-vs-io (Node) with default parameters', () => {
  it("no GIL: the thread pool's 2 threads ran CPU-bound tasks at once, faster ✓", async () => {
    const lab = newLab()
    const run = await lab.start({ scenario: 'cpu-vs-io', params: {} })
    const info = await lab.wait(run.id)
    expect(info.status, info.error ?? '').toBe('done')
    const v = verdictOf('cpu-vs-io', {
      scenario: 'cpu-vs-io',
      params: info.params,
      status: info.status,
      result: info.result,
      logs: [],
      tasks: [],
    })!
    const text = v.checks.map((c) => `${c.ok} ${c.label}: ${c.expected} / ${c.actual}`).join('\n')
    expect(v.checks.find((c) => c.label.startsWith('no GIL'))?.ok, text).toBe(true)
    expect(v.ok, text).toBe(true)
  }, 60_000)
})
