// Test child: a lab recording a looping counters run to the file in argv[2]; prints each tick's t, so the parent knows what was live when it SIGKILLs it.
import { scenarios } from '../../../../scenarios/index'
import { Lab } from '../lab'

const file = process.argv[2]
const lab = new Lab({ scenarios, intervalMs: 100, recording: { file, source: 'test' } })
lab.onTick((tick) => process.stdout.write(`${JSON.stringify({ seq: tick.seq, t: tick.t })}\n`))
void lab.start({ scenario: 'counters', params: { mode: 'thread', loop: true, delay: 10 } })
