import { describe, expect, it } from 'vitest'
import { useLabs } from '../lab/testing/lab-fixture'
import { answer } from './server'

/** One malformed frame: what is sent, and the field its error must name. */
type Case = [what: string, frame: string | Buffer, field: string]

const call = (cmd: unknown, payload?: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ id: 7, cmd, ...(payload === undefined ? {} : { payload }), ...extra })
const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
const long = 'x'.repeat(60_000)
const compare = (patch: Record<string, unknown>): string =>
  call('compare', { workload: 'cpu', strategies: ['seq'], sizes: [1], tasks: 2, repeat: 1, ...patch })

const CASES: Case[] = [
  ['binary frame', Buffer.from([1, 2, 3]), 'frame'],
  ['not JSON', 'not json', 'frame'],
  ['truncated JSON', '{"id": 1, "cmd": "snap', 'frame'],
  ['a list', '[]', 'frame'],
  ['a number', '42', 'frame'],
  ['null', 'null', 'frame'],
  ['a string', '"snapshot"', 'frame'],
  ['no id', '{"cmd":"snapshot"}', 'id'],
  ['id 0', '{"id":0,"cmd":"snapshot"}', 'id'],
  ['negative id', '{"id":-1,"cmd":"snapshot"}', 'id'],
  ['fractional id', '{"id":1.5,"cmd":"snapshot"}', 'id'],
  ['id as text', '{"id":"1","cmd":"snapshot"}', 'id'],
  ['id 1e308', '{"id":1e308,"cmd":"snapshot"}', 'id'],
  ['id null', '{"id":null,"cmd":"snapshot"}', 'id'],
  ['extra frame key', '{"id":1,"cmd":"snapshot","x":1}', 'x'],
  ['frame key __proto__', '{"id":1,"cmd":"snapshot","__proto__":{"cmd":"x"}}', '__proto__'],
  ['no cmd', '{"id":1}', 'cmd'],
  ['cmd a number', call(5), 'cmd'],
  ['unknown cmd', call('format'), 'cmd'],
  ['cmd constructor', call('constructor'), 'cmd'],
  ['cmd __proto__', call('__proto__'), 'cmd'],
  ['cmd toString', call('toString'), 'cmd'],
  ['cmd of 60 kB', call(long), 'cmd'],
  ['snapshot with an object', call('snapshot', {}), 'payload'],
  ['snapshot with a number', call('snapshot', 1), 'payload'],
  ['listScenarios with a list', call('listScenarios', []), 'payload'],
  ['openProgram with a payload', call('openProgram', { file: '/etc/passwd' }), 'payload'],
  ['cancelCompare with a payload', call('cancelCompare', true), 'payload'],
  ['cancelCompare with a text payload', call('cancelCompare', 'x'), 'payload'],
  ['start without payload', call('start'), 'payload'],
  ['start with a list', call('start', []), 'payload'],
  ['start without scenario', call('start', {}), 'scenario'],
  ['scenario a number', call('start', { scenario: 5 }), 'scenario'],
  ['scenario null', call('start', { scenario: null }), 'scenario'],
  ['scenario of 60 kB', call('start', { scenario: long }), 'payload'],
  ['unknown scenario of 9 kB', call('start', { scenario: 'y'.repeat(9000) }), 'scenario'],
  ['start key constructor', call('start', { scenario: 'counters', constructor: 1 }), 'constructor'],
  ['start key __proto__', '{"id":7,"cmd":"start","payload":{"scenario":"counters","__proto__":{"x":1}}}', '__proto__'],
  ['start key toString', call('start', { scenario: 'counters', toString: 'x' }), 'toString'],
  ['params a list', call('start', { scenario: 'counters', params: [] }), 'params'],
  ['params a string', call('start', { scenario: 'counters', params: 'x' }), 'params'],
  [
    'params 10,000 deep',
    `{"id":7,"cmd":"start","payload":{"scenario":"counters","params":${nested(10_000)}}}`,
    'payload',
  ],
  [
    'params of 5,000 keys',
    call('start', {
      scenario: 'counters',
      params: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
    }),
    'payload',
  ],
  ['workers as text', call('start', { scenario: 'counters', params: { workers: 'many' } }), 'workers'],
  ['workers 1e308', call('start', { scenario: 'counters', params: { workers: 1e308 } }), 'workers'],
  ['workers -1', call('start', { scenario: 'counters', params: { workers: -1 } }), 'workers'],
  ['workers 2.5', call('start', { scenario: 'counters', params: { workers: 2.5 } }), 'workers'],
  ['workers null', call('start', { scenario: 'counters', params: { workers: null } }), 'workers'],
  ['workers an object', call('start', { scenario: 'counters', params: { workers: { n: 2 } } }), 'workers'],
  ['mode unknown', call('start', { scenario: 'counters', params: { mode: 'fiber' } }), 'mode'],
  ['lock as text', call('start', { scenario: 'counters', params: { lock: 'yes' } }), 'lock'],
  ['unknown param', call('start', { scenario: 'counters', params: { speed: 3 } }), 'speed'],
  [
    'param __proto__',
    '{"id":7,"cmd":"start","payload":{"scenario":"counters","params":{"__proto__":{"workers":2}}}}',
    '__proto__',
  ],
  ['param constructor', call('start', { scenario: 'counters', params: { constructor: 2 } }), 'constructor'],
  ['stop without runId', call('stop', {}), 'runId'],
  ['runId a number', call('stop', { runId: 5 }), 'runId'],
  ['runId of 5 kB', call('stop', { runId: 'r'.repeat(5000) }), 'runId'],
  ['setLock on as text', call('setLock', { runId: 'r1', on: 'true' }), 'on'],
  ['setLock without runId', call('setLock', { on: true }), 'runId'],
  ['resizePool size 0', call('resizePool', { runId: 'r1', size: 0 }), 'size'],
  ['resizePool size 1e308', call('resizePool', { runId: 'r1', size: 1e308 }), 'size'],
  ['resizePool size -3', call('resizePool', { runId: 'r1', size: -3 }), 'size'],
  ['resizePool size 2.5', call('resizePool', { runId: 'r1', size: 2.5 }), 'size'],
  ['resizePool size as text', call('resizePool', { runId: 'r1', size: '4' }), 'size'],
  ['resizePool size 65', call('resizePool', { runId: 'r1', size: 65 }), 'size'],
  ['kill unitId an object', call('kill', { unitId: {} }), 'unitId'],
  ['setSamplingInterval 0', call('setSamplingInterval', { ms: 0 }), 'ms'],
  ['setSamplingInterval 1e308', call('setSamplingInterval', { ms: 1e308 }), 'ms'],
  ['setSamplingInterval as text', call('setSamplingInterval', { ms: 'fast' }), 'ms'],
  ['setSamplingInterval extra key', call('setSamplingInterval', { ms: 500, hz: 2 }), 'hz'],
  ['summary runId a list', call('summary', { runId: [] }), 'runId'],
  ['compare workload unknown', compare({ workload: 'gpu' }), 'workload'],
  ['compare strategies empty', compare({ strategies: [] }), 'strategies'],
  ['compare strategies unknown', compare({ strategies: ['seq', 'gpu'] }), 'strategies'],
  ['compare sizes 0', compare({ sizes: [0] }), 'sizes'],
  ['compare sizes 1e308', compare({ sizes: [1e308] }), 'sizes'],
  ['compare sizes too many', compare({ sizes: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), 'sizes'],
  ['compare tasks 0', compare({ tasks: 0 }), 'tasks'],
  ['compare tasks 1e308', compare({ tasks: 1e308 }), 'tasks'],
  ['compare repeat 0', compare({ repeat: 0 }), 'repeat'],
  ['compare taskMs -1', compare({ params: { taskMs: -1 } }), 'taskMs'],
  ['compare taskMs 1e308', compare({ params: { taskMs: 1e308 } }), 'taskMs'],
  ['compare payloadBytes 0', compare({ workload: 'payload', params: { payloadBytes: 0 } }), 'payloadBytes'],
  ['compare payloadBytes 1.5', compare({ workload: 'payload', params: { payloadBytes: 1.5 } }), 'payloadBytes'],
  ['compare skew 0.5', compare({ workload: 'skewed', params: { skew: 0.5 } }), 'skew'],
  ['compare transfer as text', compare({ params: { transfer: 'yes' } }), 'transfer'],
  ['compare unknown param', compare({ params: { threads: 2 } }), 'threads'],
  ['compare key constructor', compare({ constructor: 1 }), 'constructor'],
  [
    'compare params 10,000 deep',
    `{"id":7,"cmd":"compare","payload":{"workload":"cpu","strategies":["seq"],"sizes":[1],"tasks":1,"repeat":1,"params":${nested(10_000)}}}`,
    'payload',
  ],
  ['compare too long to finish', compare({ tasks: 20_000, repeat: 20, params: { taskMs: 10_000 } }), 'tasks'],
]

describe('malformed frames', () => {
  const newLab = useLabs()

  it(`answers each of ${CASES.length} malformed frames with an error naming the field, and then a valid command`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60)
    const lab = newLab()
    for (const [what, frame, field] of CASES) {
      const reply = await answer(lab, Buffer.isBuffer(frame) ? frame : Buffer.from(frame), Buffer.isBuffer(frame))
      expect(reply.reply.ok, what).toBe(false)
      if (reply.reply.ok) continue
      expect(reply.reply.error.field, what).toBe(field)
      expect(reply.reply.error.code, what).toBe('invalid')
      // Echoed values are cut: no reply quotes more than 60 characters of what it was sent.
      expect(reply.reply.error.message.length, what).toBeLessThan(800)
      expect(reply.reply.error.message, what).not.toMatch(/x{61}|y{61}|r{61}/)
      const ok = await answer(lab, Buffer.from(JSON.stringify({ id: 9, cmd: 'snapshot' })), false)
      expect(ok.reply.ok, `snapshot after ${what}`).toBe(true)
    }
    // Nothing was started by any of them.
    expect((await lab.snapshot()).runs).toEqual([])
  })
})
