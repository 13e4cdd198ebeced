// `lab run counters --json`: the summary's order is the order of the log lines, run after run, in both modes.
import { describe, expect, it } from 'vitest'
import { runMain } from './testing/cli-fixture'

const RUNS = 20
const COUNT_LINE = /^(khanh|ai) (thread|process): \d$/

describe('lab run counters --json', () => {
  it.each(['thread', 'process'])(
    `summary order equals log order over ${RUNS} runs (%s)`,
    async (mode) => {
      const mismatches: string[] = []
      for (let i = 0; i < RUNS; i++) {
        const { code, out } = await runMain(['run', 'counters', '--mode', mode, '--json', '--interval', '100'])
        expect(code).toBe(0)
        const rows = out.map((l) => JSON.parse(l) as { type: string; text?: string; result?: { order: string[] } })
        const logged = rows.filter((r) => r.type === 'log' && COUNT_LINE.test(r.text ?? '')).map((r) => r.text)
        const summary = rows.find((r) => r.type === 'summary')!
        expect(summary.result!.order).toHaveLength(10)
        expect(logged).toHaveLength(10)
        if (JSON.stringify(logged) !== JSON.stringify(summary.result!.order))
          mismatches.push(`run ${i + 1}: log ${logged.join(', ')} / result ${summary.result!.order.join(', ')}`)
      }
      expect(mismatches).toEqual([])
    },
    240_000,
  )
})
