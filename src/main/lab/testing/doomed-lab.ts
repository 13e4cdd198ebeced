// Test helper run as a process of its own (node --import tsx): a lab with Node process units, Python multiprocessing
// scenarios and a watched program that leaves a background child and a setsid grandchild. The test SIGKILLs it.
import { scenarios } from '../../../../scenarios/index'
import { Lab } from '../lab'

const lab = new Lab({ scenarios, intervalMs: 200, stateDir: process.argv[2] })
await lab.start({ scenario: 'counters', params: { mode: 'process', workers: 2, loop: true, delay: 50 } })
await lab.start({ scenario: 'py-counters', params: { mode: 'process', workers: 2, loop: true, delay: 50 } })
await lab.start({
  scenario: 'py-cpu-vs-io',
  params: { pools: 'process', job: 'cpu', workers: 2, tasks: 64, work: 10_000 },
})
// `sleep 6071` stays a child of the root; `sleep 6072` is double-forked into a session of its own; the root waits.
await lab.watch({
  command: 'sh',
  args: ['-c', 'sleep 6071 & setsid sh -c "sleep 6072 & exit 0"; sleep 6073'],
  label: 'sh',
})
const started = Date.now()
const timer = setInterval(async () => {
  const units = (await lab.snapshot()).units
  const pythonChildren = units.filter((u) => u.kind === 'program' && !u.spawned && u.state === 'running').length
  const nodeUnits = units.filter((u) => u.kind === 'process' && u.state === 'running').length
  if ((pythonChildren >= 4 && nodeUnits >= 2) || Date.now() - started > 20_000) {
    clearInterval(timer)
    process.stdout.write(
      JSON.stringify({ key: lab.lifeline.key, supervisor: lab.lifeline.supervisorPid, pythonChildren, nodeUnits }) +
        '\n',
    )
  }
}, 200)
