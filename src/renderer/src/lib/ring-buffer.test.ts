import { describe, expect, it } from 'vitest'
import { RingBuffer, UnitSeries } from './ring-buffer'

describe('RingBuffer', () => {
  it('keeps the newest values up to its capacity, oldest first', () => {
    const r = new RingBuffer(3)
    expect(r.length).toBe(0)
    expect(r.last()).toBeNaN()
    for (const v of [1, 2, 3, 4, 5]) r.push(v)
    expect(r.length).toBe(3)
    expect(r.toArray()).toEqual([3, 4, 5])
    expect(r.at(0)).toBe(3)
    expect(r.last()).toBe(5)
    expect(r.at(3)).toBeNaN()
  })

  it('max skips NaN and can look at the newest n only', () => {
    const r = new RingBuffer(5)
    for (const v of [9, NaN, 2, 4]) r.push(v)
    expect(r.max()).toBe(9)
    expect(r.max(2)).toBe(4)
    r.clear()
    expect(r.max()).toBe(0)
  })

  it('grows past its first allocation and then wraps at its capacity', () => {
    const r = new RingBuffer(200)
    for (let i = 0; i < 450; i++) r.push(i)
    expect(r.length).toBe(200)
    expect(r.at(0)).toBe(250)
    expect(r.last()).toBe(449)
    expect(r.toArray()).toEqual(Array.from({ length: 200 }, (_, i) => 250 + i))
  })

  it('rejects a capacity that is not a positive whole number', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError)
  })
})

describe('UnitSeries', () => {
  it('stores a missing CPU value as NaN, never as 0', () => {
    const s = new UnitSeries(4)
    s.push(0, null, 100)
    s.push(500, 12.5, null)
    expect(s.length).toBe(2)
    expect(s.cpu.at(0)).toBeNaN()
    expect(s.cpu.at(1)).toBe(12.5)
    expect(s.mem.at(1)).toBeNaN()
  })
})
