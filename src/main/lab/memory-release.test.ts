import { describe, expect, it } from 'vitest'
import { MemoryRelease } from './memory-release'

const turn = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('MemoryRelease', () => {
  it('is on in a lab process: the tests run with the lab V8 flags, --expose-gc among them', () => {
    expect(new MemoryRelease().active).toBe(true)
  })

  it('collects once per burst of run ends, after the ending work has unwound, and again only after its pause', async () => {
    let collections = 0
    const release = new MemoryRelease(() => collections++, 200)
    release.workEnded()
    release.workEnded()
    release.workEnded()
    // Not inside the caller's own turn.
    expect(collections).toBe(0)
    await turn()
    expect(collections).toBe(1)
    release.workEnded()
    await turn()
    expect(collections).toBe(1)
    await turn(250)
    release.workEnded()
    await turn()
    expect(collections).toBe(2)
    release.close()
  })

  it('does nothing without a collector, and close cancels one not yet run', async () => {
    const off = new MemoryRelease(null)
    expect(off.active).toBe(false)
    off.workEnded()
    let collections = 0
    const release = new MemoryRelease(() => collections++, 200)
    release.workEnded()
    release.close()
    await turn(10)
    expect(collections).toBe(0)
  })
})
