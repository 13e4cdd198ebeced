// The browser mode's command line: --port checked with a sentence, -h/--help answered without starting anything.
import { describe, expect, it } from 'vitest'
import { UsageError } from '../cli/command'
import { browserModeMain, WEB_HELP, webOptions } from './main'

describe('browser mode arguments', () => {
  it('takes --port N (0 = any free port) in both spellings', () => {
    expect(webOptions([])).toEqual({})
    expect(webOptions(['--port', '8123'])).toEqual({ port: 8123 })
    expect(webOptions(['--port=0'])).toEqual({ port: 0 })
  })

  it.each([
    [['--port', 'http'], /--port must be a whole number from 1 to 65535 \(or 0 for any free port\), not "http"/],
    [['--port', '70000'], /--port must be a whole number/],
    [['--port'], /--port needs a value \(N\)/],
    [['--colour', 'red'], /Unknown option --colour. Known options: --port/],
    [['8123'], /Unexpected argument "8123"/],
  ])('%j is refused with a UsageError naming the option', (argv, message) => {
    expect(() => webOptions(argv)).toThrow(UsageError)
    expect(() => webOptions(argv)).toThrow(message)
  })

  it('-h and --help print the help and start nothing', async () => {
    for (const flag of ['-h', '--help']) {
      const lines: string[] = []
      expect(await browserModeMain([flag], (l) => lines.push(l))).toBe(0)
      expect(lines).toEqual([WEB_HELP])
    }
    expect(WEB_HELP).toMatch(/--port N\s+listen on this port/)
  })
})
