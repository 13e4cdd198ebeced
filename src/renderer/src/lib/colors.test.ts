import { describe, expect, it } from 'vitest'
import { UNIT_HUE_BANDS, unitHue } from './colors'

/** Hues of the state colours (running green, waiting amber, holding violet, crashed red). */
const STATE_HUES = [145, 40, 265, 357]
const distance = (a: number, b: number): number => Math.min(Math.abs(a - b), 360 - Math.abs(a - b))

describe('unit colours', () => {
  it("never take a state colour's hue", () => {
    for (let i = 0; i < 500; i++) {
      const hue = unitHue(`u${i}`)
      expect(UNIT_HUE_BANDS.some(([a, b]) => hue >= a && hue <= b)).toBe(true)
      for (const s of STATE_HUES) expect(distance(hue, s)).toBeGreaterThanOrEqual(25)
    }
  })
  it('keeps neighbouring units apart', () => {
    for (let i = 0; i < 50; i++) expect(distance(unitHue(`u${i}`), unitHue(`u${i + 1}`))).toBeGreaterThan(15)
  })
})
