// Writer and reader together: round trip of any tick fields, keyframe seeks, and every kind of bad file.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeUnit } from '../../../../test/fixtures/unit'
import type { Sample, Tick, Unit } from '../../../shared/model'
import { FORMAT_VERSION, MAGIC, type RecordingHeader } from '../../../shared/recording/format'
import { machineInfo } from './machine-info'
import { RecordingError, RecordingReader } from './reader'
import { RecordingWriter } from './writer'

const dir = mkdtempSync(join(tmpdir(), 'plab-rec-'))
const writers: RecordingWriter[] = []
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()))
})

function header(version = FORMAT_VERSION): RecordingHeader {
  return {
    magic: MAGIC,
    version,
    startedAt: new Date().toISOString(),
    labT0: 0,
    source: 'test',
    intervalMs: 500,
    keyframeEveryMs: 10_000,
    machine: machineInfo(),
    collector: 'procfs',
    labPid: 1,
    platform: 'linux',
  }
}

function unit(i: number, patch: Partial<Unit> = {}): Unit {
  return fakeUnit(`u${i}`, {
    kind: i === 0 ? 'main' : 'thread',
    tid: i === 0 ? null : 100 + i,
    parent: i === 0 ? null : 'u0',
    label: `unit ${i}`,
    ...patch,
  })
}

/** Ticks with a field the recorder has never heard of, nested numbers and an OS state, to prove nothing is dropped. */
function makeTicks(n: number, units = 4): Tick[] {
  const out: Tick[] = []
  for (let seq = 0; seq < n; seq++) {
    const t = seq * 500 + 500
    const samples: Sample[] = []
    for (let i = 0; i < units; i++) {
      const s: Sample & Record<string, unknown> = {
        id: `u${i}`,
        cpu: seq === 0 ? null : Math.round((((seq * 37 + i * 11) % 1000) / 10) * 1000) / 1000,
        cpuSeconds: seq * 0.01 * i,
        rss: 1_000_000 + seq * 4096,
        heap: null,
        os: seq % 3 === 0 ? 'S' : 'R',
        time: {
          onCpu: seq * 0.5,
          runqueue: 0.125,
          blocked: i,
          blockedOn: { lock: i, io: 0.5, sleep: seq % 7, other: 0 },
        },
        transient: seq % 5 === 0,
      }
      if (i === 1 && seq % 2 === 0) delete s.os
      samples.push(s)
    }
    const tick = {
      seq,
      t,
      units:
        seq === 0 ? Array.from({ length: units }, (_, i) => unit(i)) : seq === 7 ? [unit(2, { state: 'waiting' })] : [],
      samples,
      logs: seq % 4 === 0 ? [{ t, unit: 'u1', runId: 'r1', text: `line ${seq}`, stream: 'out' as const }] : [],
      events: seq === 7 ? [{ type: 'state' as const, t, unit: 'u2', state: 'waiting' as const }] : [],
      machine: { cores: [10, 20], memTotal: 8e9, memUsed: 4e9 },
      sampler: { intervalMs: 500, costMs: 1.25, labCpuMs: null, collector: 'procfs' },
      transient: { processes: 0, cpuMs: 0, parents: [] },
      extra: { novel: seq },
    }
    out.push(tick as Tick)
  }
  return out
}

/** A deep copy with every number rounded to a hundredth (what the format promises to keep). */
function thousandths(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (_k, x: unknown) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x))
}

async function record(name: string, ticks: Tick[], version = FORMAT_VERSION): Promise<string> {
  const file = join(dir, name)
  const w = new RecordingWriter(file, header(version), { units: [], runs: [] }, { flushMs: 60_000 })
  ticks.forEach((t, i) => {
    w.addTick(t)
    if (i % 2 === 1) w.flush()
  })
  await w.close()
  return file
}

describe('recording', () => {
  it('a tick flushes the open chunk once it holds a flush interval of ticks: no timer of its own wakes the lab', async () => {
    const w = new RecordingWriter(join(dir, 'flush.plrec'), header(), { units: [], runs: [] }, { flushMs: 1000 })
    const ticks = makeTicks(5)
    const head = w.size
    // Ticks 500 ms apart from t = 500: the chunk opened at 500 is due at the tick of 1500.
    w.addTick(ticks[0])
    w.addTick(ticks[1])
    expect(w.size).toBe(head)
    w.addTick(ticks[2])
    expect(w.size).toBeGreaterThan(head)
    const after = w.size
    w.addTick(ticks[3])
    expect(w.size).toBe(after)
    await w.close()
  })

  it('a frame is on disk when its flush returns: written in place, no hand-over to the thread pool to wake the lab', async () => {
    const file = join(dir, 'in-place.plrec')
    const w = new RecordingWriter(file, header(), { units: [], runs: [] }, { flushMs: 60_000 })
    writers.push(w)
    expect(statSync(file).size).toBe(w.size)
    for (const t of makeTicks(3)) w.addTick(t)
    w.flush()
    expect(w.size).toBeGreaterThan(readFileSync(file, 'utf8').indexOf('\n') + 1)
    expect(statSync(file).size).toBe(w.size)
  })

  it('after a slow write every later frame goes through the thread pool, in order: the same ticks come back', async () => {
    const file = join(dir, 'slow-disk.plrec')
    // Any write counts as slow: the header goes in place, everything after it through the queue.
    const w = new RecordingWriter(file, header(), { units: [], runs: [] }, { flushMs: 60_000, slowWriteMs: 0 })
    const ticks = makeTicks(40)
    ticks.forEach((t, i) => {
      w.addTick(t)
      if (i % 2 === 1) w.flush()
    })
    expect(statSync(file).size).toBeLessThan(w.size)
    await w.close()
    const r = RecordingReader.open(file)
    expect(r.problem).toBeNull()
    expect(r.complete).toBe(true)
    expect(thousandths([...r.ticks()])).toEqual(thousandths(ticks))
  })

  it('gives back every tick with every field it had, numbers to a hundredth', async () => {
    const ticks = makeTicks(60)
    const r = RecordingReader.open(await record('round.plrec', ticks))
    expect(r.problem).toBeNull()
    expect(r.complete).toBe(true)
    expect(r.header.machine.cores).toBeGreaterThan(0)
    const back = [...r.ticks()]
    expect(thousandths(back)).toEqual(thousandths(ticks))
    expect(back[9].samples[2].cpuSeconds).toBeCloseTo(0.18, 9)
  })

  it('seeks through keyframes to the state views showed at that instant', async () => {
    const ticks = makeTicks(100)
    const r = RecordingReader.open(await record('seek.plrec', ticks))
    expect(r.chunks.filter((c) => c.kind === 'K').length).toBeGreaterThanOrEqual(4)
    const at = ticks[70].t
    // The keyframe used starts after the first chunk: the seek did not read from the start.
    expect(r.keyChunkFor(at)).toBeGreaterThan(0)
    const s = r.stateAt(at)
    expect(s.seq).toBe(70)
    expect(thousandths(s.latest.get('u3'))).toEqual(thousandths(ticks[70].samples[3]))
    expect(s.units.get('u2')?.state).toBe('waiting')
    expect(s.transitions.get('u2')?.map((x) => x.state)).toEqual(['waiting'])
    expect(s.logs.at(-1)?.text).toBe('line 68')
  })

  it('opens by reading the tick index only, and a seek decodes from its keyframe, not from the start', async () => {
    const ticks = makeTicks(100)
    const r = RecordingReader.open(await record('index.plrec', ticks))
    expect(r.tickTimes()).toEqual(ticks.map((t) => t.t))
    expect(r.inflated).toBe(0)
    const k = r.keyChunkFor(ticks[90].t)
    const at = r.chunks.findIndex((c) => c.times!.includes(ticks[90].t))
    expect(r.stateAt(ticks[90].t).seq).toBe(90)
    expect(r.inflated).toBe(at - k + 1)
    expect(r.inflated).toBeLessThan(r.chunks.length / 2)
  })

  it('an unfinished file names what was started from its last keyframe group only', async () => {
    const file = join(dir, 'unfinished.plrec')
    const w = new RecordingWriter(file, header(), { units: [], runs: [] }, { flushMs: 60_000 })
    w.addStarted({ kind: 'run', what: 'counters', runId: 'r1', params: {}, t: 400 })
    makeTicks(100).forEach((t, i) => {
      if (i === 60) w.addStarted({ kind: 'watch', what: 'python3 x.py', runId: 'r2', params: {}, t: t.t })
      w.addTick(t)
      if (i % 2 === 1) w.flush()
    })
    await w.close()
    // The lab stopped without closing it: everything but the end frame.
    const whole = RecordingReader.open(file)
    const end = readFileSync(file).subarray(0, whole.chunks.at(-1)!.offset + 36 + whole.chunks.at(-1)!.length)
    const cut = join(dir, 'unfinished-cut.plrec')
    writeFileSync(cut, end)
    const r = RecordingReader.open(cut)
    expect(r.complete).toBe(false)
    expect(r.startedItems().map((x) => x.what)).toEqual(['counters', 'python3 x.py'])
    expect(r.inflated).toBe(r.chunks.length - r.keyChunkFor(r.lastT))
    expect(r.inflated).toBeLessThan(r.chunks.length / 2)
  })

  it('still reads format version 1 (no tick index): the same ticks, times decoded from the chunks', async () => {
    const ticks = makeTicks(30)
    const r = RecordingReader.open(await record('v1.plrec', ticks, 1))
    expect(r.header.version).toBe(1)
    expect(r.chunks.every((c) => c.times === null)).toBe(true)
    expect(r.tickTimes()).toEqual(ticks.map((t) => t.t))
    expect(thousandths([...r.ticks()])).toEqual(thousandths(ticks))
  })

  it('version 3: deflates one-second chunks only when they carry much text (log lines), and reads both kinds', async () => {
    const ticks = makeTicks(60)
    // Seconds 10 to 14 print 40 lines a tick: their chunks' JSON parts are long.
    for (const tick of ticks.slice(20, 30))
      for (let i = 0; i < 40; i++)
        tick.logs.push({ t: tick.t, unit: 'u1', runId: 'r1', text: `line ${tick.seq}.${i}`, stream: 'out' })
    const file = await record('chatty.plrec', ticks)
    const r = RecordingReader.open(file)
    const bytes = readFileSync(file)
    const deflated = (kind: string): boolean[] =>
      r.chunks.filter((c) => c.kind === kind).map((c) => bytes[c.dataAt] === 1)
    expect(deflated('K').every(Boolean)).toBe(true)
    const d = deflated('D')
    expect(d.filter(Boolean).length).toBeGreaterThan(0)
    expect(d.filter((x) => !x).length).toBeGreaterThan(d.length / 2)
    expect(thousandths([...r.ticks()])).toEqual(thousandths(ticks))
  })

  it('still reads format version 2 (samples as JSON columns, keyframes whole): the same ticks and seeks', async () => {
    const ticks = makeTicks(60)
    const r = RecordingReader.open(await record('v2.plrec', ticks, 2))
    expect(r.header.version).toBe(2)
    expect(r.chunks.every((c) => c.unitsLength === 0)).toBe(true)
    expect(thousandths([...r.ticks()])).toEqual(thousandths(ticks))
    expect(thousandths(r.stateAt(ticks[50].t).latest.get('u3'))).toEqual(thousandths(ticks[50].samples[3]))
  })

  it('version 3: a file cut inside a keyframe opens up to the chunk before it, and says where', async () => {
    const ticks = makeTicks(80)
    const file = await record('cut-key.plrec', ticks)
    const whole = RecordingReader.open(file)
    expect(whole.header.version).toBe(3)
    const k = whole.chunks.findIndex((c, i) => i > 0 && c.kind === 'K')
    const key = whole.chunks[k]
    expect(key.unitsLength).toBeGreaterThan(0)
    // Cut in the middle of the keyframe's units part.
    const cut = join(dir, 'cut-key-short.plrec')
    writeFileSync(cut, readFileSync(file).subarray(0, key.unitsAt + (key.unitsLength >> 1)))
    const r = RecordingReader.open(cut)
    expect(r.problem).toBe(
      `The recording stops at byte ${key.offset} of ${key.unitsAt + (key.unitsLength >> 1)} (the last chunk is cut off): it opens up to ${((whole.chunks[k - 1].t1 - r.header.labT0) / 1000).toFixed(1)} s, after ${k} good chunks.`,
    )
    const back = [...r.ticks()]
    expect(back.length).toBe(whole.chunks.slice(0, k).reduce((n, c) => n + c.times!.length, 0))
    expect(thousandths(back)).toEqual(thousandths(ticks.slice(0, back.length)))
  })

  it('version 3: stops at a keyframe whose units part is damaged, with the CRC made to match', async () => {
    const file = await record('badunits.plrec', makeTicks(60))
    const bytes = Buffer.from(readFileSync(file))
    const whole = RecordingReader.open(file)
    const k = whole.chunks.findIndex((c, i) => i > 0 && c.kind === 'K')
    const c = whole.chunks[k]
    // The units part's length, beyond the frame, and a CRC that fits the damage: only the layout check can catch it.
    bytes.writeUInt32LE(0xffffff, c.unitsAt - 4)
    bytes.writeUInt32LE(crc32(bytes.subarray(c.offset + 36, c.offset + 36 + c.length)) >>> 0, c.offset + 32)
    const bad = join(dir, 'badunits-2.plrec')
    writeFileSync(bad, bytes)
    const r = RecordingReader.open(bad)
    expect(r.problem).toMatch(
      new RegExp(`a chunk's units part is damaged\\): it opens up to \\d+\\.\\d s, after ${k} good chunks\\.$`),
    )
    expect(r.chunks.length).toBe(k)
    // And damage inside a chunk whose CRC matches: opening cannot see it, decoding that chunk refuses it, naming it.
    const inner = Buffer.from(readFileSync(file))
    const d = whole.chunks[k + 1]
    expect(d.kind).toBe('D')
    const corrupt = join(dir, 'badblock.plrec')
    inner[d.dataAt + 2] ^= 0x55
    inner.writeUInt32LE(crc32(inner.subarray(d.offset + 36, d.offset + 36 + d.length)) >>> 0, d.offset + 32)
    writeFileSync(corrupt, inner)
    const r2 = RecordingReader.open(corrupt)
    expect(r2.problem).toBeNull()
    expect(() => r2.chunk(k + 1)).toThrow(`Chunk ${k + 1} of badblock.plrec (byte ${d.offset}) is damaged.`)
  })

  it('stops at a chunk whose tick index is damaged, with the CRC made to match', async () => {
    const file = await record('badindex.plrec', makeTicks(20))
    const bytes = Buffer.from(readFileSync(file))
    const c = RecordingReader.open(file).chunks[3]
    // A count far beyond the frame's length, then a CRC that fits the damage: only the index check can catch it.
    bytes.writeUInt32LE(0xffffff, c.offset + 36)
    bytes.writeUInt32LE(crc32(bytes.subarray(c.offset + 36, c.offset + 36 + c.length)) >>> 0, c.offset + 32)
    const bad = join(dir, 'badindex-2.plrec')
    writeFileSync(bad, bytes)
    const r = RecordingReader.open(bad)
    expect(r.problem).toMatch(/a chunk's tick index is damaged\): it opens up to \d+\.\d s, after 3 good chunks\.$/)
    expect(r.chunks.length).toBe(3)
  })

  it('opens a truncated file up to its last good chunk and says where it stopped', async () => {
    const file = await record('cut.plrec', makeTicks(40))
    const bytes = readFileSync(file)
    const cut = join(dir, 'cut-short.plrec')
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    const r = RecordingReader.open(cut)
    expect(r.problem).toMatch(/^The recording stops at byte \d+ of \d+ \(.+\): it opens up to \d+\.\d s/)
    const n = [...r.ticks()].length
    expect(n).toBeGreaterThan(5)
    expect(n).toBeLessThan(40)
  })

  it('opens a file damaged in the middle up to the damage', async () => {
    const file = await record('bad.plrec', makeTicks(40))
    const bytes = Buffer.from(readFileSync(file))
    const r0 = RecordingReader.open(file)
    const mid = r0.chunks[5]
    bytes[mid.offset + 36 + 12] ^= 0xff
    const bad = join(dir, 'bad-mid.plrec')
    writeFileSync(bad, bytes)
    const r = RecordingReader.open(bad)
    expect(r.problem).toMatch(/a chunk is damaged/)
    expect(r.chunks.length).toBe(5)
  })

  it('refuses a newer format naming both versions, and a file that is not a recording in one sentence', async () => {
    const file = await record('newer.plrec', makeTicks(3))
    const text = readFileSync(file)
    const newer = join(dir, 'newer2.plrec')
    writeFileSync(
      newer,
      Buffer.from(text.toString('latin1').replace(`"version":${FORMAT_VERSION}`, '"version":7'), 'latin1'),
    )
    expect(() => RecordingReader.open(newer)).toThrow(
      `newer2.plrec is recording format version 7; this Parallel Lab reads format version ${FORMAT_VERSION} and older.`,
    )
    const notOne = join(dir, 'notes.txt')
    writeFileSync(notOne, 'hello\nworld\n')
    expect(() => RecordingReader.open(notOne)).toThrow(RecordingError)
    expect(() => RecordingReader.open(notOne)).toThrow(
      /^notes\.txt is not a Parallel Lab recording \(it does not start with the PARALLEL-LAB-RECORDING header\)\.$/,
    )
  })

  it('keeps data that looks like code as data', async () => {
    const ticks = makeTicks(2)
    ticks[1].logs.push({ t: 1000, unit: null, runId: 'r1', text: '"); process.exit(1); ("', stream: 'err' })
    ;(ticks[1].samples[0] as unknown as Record<string, unknown>)['__proto__'] = { polluted: 1 }
    // Own keys named __proto__ and constructor.prototype (as JSON.parse makes them) become field names in the file.
    const own = JSON.parse('{"__proto__": {"polluted": 2}, "constructor": {"prototype": {"polluted": 3}}}') as object
    for (const [key, value] of Object.entries(own))
      Object.defineProperty(ticks[1].samples[1], key, { value, enumerable: true, writable: true, configurable: true })
    const r = RecordingReader.open(await record('code.plrec', ticks))
    const back = [...r.ticks()]
    expect(back[1].logs.at(-1)?.text).toBe('"); process.exit(1); ("')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(back[1].samples[1])).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(back[1].samples[1], '__proto__')?.value).toEqual({ polluted: 2 })
  })
})
