import { describe, expect, it } from 'vitest'
import { logSites, sourceLineOf } from './source-lines'

describe('log line -> source line', () => {
  it('prefers the most specific template, and says null for text no call prints', () => {
    const source = ['w.log(`${a}: ${b}`)', 'w.log(`callback got ${x}`)'].join('\n')
    const sites = logSites(source)
    expect(sourceLineOf(sites, 'callback got 16')).toBe(2)
    expect(sourceLineOf(sites, 'khanh: 1')).toBe(1)
    expect(sourceLineOf(sites, 'nothing like it')).toBeNull()
  })
})
