import { describe, expect, it } from 'vitest'
import { Worker } from 'node:worker_threads'
import { AtomicsMutex } from './mutex'
import { buildSync } from 'esbuild'
import { fileURLToPath } from 'node:url'

// Real threads race on a plain (non-atomic) read-modify-write; only the mutex keeps the count exact.
// The worker runs this very module, bundled to CommonJS, so the test exercises the real code.
const mutexModule = buildSync({
  entryPoints: [fileURLToPath(new URL('./mutex.ts', import.meta.url))],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  write: false,
}).outputFiles[0].text

const racer = `
const { AtomicsMutex } = (() => {
  const module = { exports: {} }
  ${mutexModule}
  return module.exports
})()
const { workerData, parentPort } = require('node:worker_threads')
const { buffer, counter, gate, rounds, useLock } = workerData
const mutex = new AtomicsMutex(buffer)
const value = new Int32Array(counter)
// Start together: every thread waits at the gate until the last one arrives.
const g = new Int32Array(gate)
Atomics.add(g, 0, 1)
while (Atomics.load(g, 0) < workerData.threads) Atomics.wait(g, 0, Atomics.load(g, 0), 5)
for (let i = 0; i < rounds; i++) {
  if (useLock) mutex.lock()
  const v = value[0]
  for (let k = 0; k < 200; k++) Math.sqrt(k)
  value[0] = v + 1
  if (useLock) mutex.unlock()
}
parentPort.postMessage('done')
`

async function race(useLock: boolean): Promise<number> {
  const buffer = AtomicsMutex.createBuffer()
  const counter = new SharedArrayBuffer(4)
  const gate = new SharedArrayBuffer(4)
  const rounds = 50_000
  const threads = 3
  const workers = Array.from(
    { length: threads },
    () => new Worker(racer, { eval: true, workerData: { buffer, counter, gate, rounds, threads, useLock } }),
  )
  await Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve, reject) => {
          w.once('message', resolve)
          w.once('error', reject)
        }),
    ),
  )
  await Promise.all(workers.map((w) => w.terminate()))
  return new Int32Array(counter)[0]
}

describe('AtomicsMutex', () => {
  it('locks, refuses a second tryLock, and unlocks', () => {
    const m = new AtomicsMutex(AtomicsMutex.createBuffer())
    expect(m.tryLock()).toBe(true)
    expect(m.tryLock()).toBe(false)
    expect(m.isLocked()).toBe(true)
    m.unlock()
    expect(m.isLocked()).toBe(false)
    m.lock()
    expect(m.isLocked()).toBe(true)
  })

  it('the same protocol keeps a count exact across real threads', async () => {
    expect(await race(true)).toBe(150_000)
  })

  it('the same shared count loses updates across real threads without the lock', async () => {
    expect(await race(false)).toBeLessThan(150_000)
  })
})
