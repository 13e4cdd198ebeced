// One formatter for the window and the command line: fixed decimals, a dash for what is missing.
import { describe, expect, it } from 'vitest'
import {
  compactJson,
  formatBytes,
  formatClock,
  formatCpu,
  formatDuration,
  formatMs,
  formatPercent,
  memoryTitle,
  shortLabel,
} from './format'

describe('format', () => {
  it('shows a warming-up CPU as an ellipsis, never 0%', () => {
    expect(formatCpu(null, 'core', 2)).toBe('…')
    expect(formatCpu(0, 'core', 2)).toBe('0.0%')
    expect(formatCpu(99.5, 'core', 2)).toBe('99.5%')
    expect(formatCpu(100, 'machine', 2)).toBe('50.0%')
  })
  it('formats bytes, durations and milliseconds', () => {
    expect(formatBytes(null)).toBe('–')
    expect(formatBytes(9.5 * 1024 * 1024)).toBe('9.5 MiB')
    expect(formatBytes(2048)).toBe('2 KiB')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB')
    expect(formatMs(null)).toBe('–')
    expect(formatMs(12.4)).toBe('12 ms')
    expect(formatPercent(null)).toBe('–')
    expect(formatPercent(42.25)).toBe('42.3%')
    expect(formatDuration(4200)).toBe('0:04.2')
    expect(formatDuration(3_723_000)).toBe('1:02:03')
    expect(formatMs(0.4)).toBe('0.40 ms')
    expect(formatMs(1500)).toBe('1.50 s')
    expect(formatClock(4900)).toBe('0:04')
    expect(formatClock(3_723_000)).toBe('1:02:03')
    expect(shortLabel('counters / khanh')).toBe('khanh')
    expect(shortLabel('lab (main)')).toBe('lab (main)')
  })
})

describe('compactJson and memoryTitle', () => {
  it('prints lists of plain values on one line and rounds floats', () => {
    expect(compactJson({ results: [16, 0, 1], ms: 78.17688899999484 })).toBe(
      '{\n  "results": [16, 0, 1],\n  "ms": 78.177\n}',
    )
    expect(compactJson([{ a: [1, 2] }])).toBe('[\n  {\n    "a": [1, 2]\n  }\n]')
  })
  it("says V8 heap only for the lab's own threads", () => {
    expect(memoryTitle({ kind: 'thread', spawned: true })).toBe('Memory (V8 heap)')
    expect(memoryTitle({ kind: 'thread', spawned: false })).not.toContain('V8')
    expect(memoryTitle({ kind: 'program', spawned: true })).toBe('Memory (resident)')
  })
})
