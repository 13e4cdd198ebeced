// `lab scenarios`: one line per scenario the lab offers, with why it cannot run here when it cannot.
import { parseOptions, type Command } from './command'

export const scenariosCommand: Command = {
  name: 'scenarios',
  synopsis: 'lab scenarios                      list the scenarios',
  help: () =>
    'Usage: lab scenarios\n\nLists every scenario: its id (for "lab run <id>") and what it shows.\n\n  --help, -h               show this help',
  async run(argv, ctx) {
    parseOptions(argv, [])
    const width = Math.max(...ctx.scenarios.map((s) => s.id.length))
    for (const s of ctx.scenarios) {
      const a = s.availability?.()
      ctx.out(`${s.id.padEnd(width)}  ${s.summary}${a && !a.available ? ` (unavailable: ${a.reason})` : ''}`)
    }
    return 0
  },
}
