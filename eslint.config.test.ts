// The layer rules of eslint.config.js, shown failing on deliberate violations and passing on the allowed imports.
import { ESLint } from 'eslint'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: fileURLToPath(new URL('.', import.meta.url)) })

/** The messages of the import rule for `code` as if it were the file at `filePath`. */
async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer rules', () => {
  it('the lab imports nothing from scenarios/', async () => {
    expect(
      await importErrors(
        'src/main/lab/lab.ts',
        "import { scenarios } from '../../../scenarios/index'\nexport { scenarios }\n",
      ),
    ).toEqual([expect.stringContaining('The lab imports nothing from scenarios/')])
    expect(
      await importErrors(
        'src/main/lab/units/worker-host.ts',
        "import { pythonScenarios } from '../../../../scenarios/python/catalog'\nexport { pythonScenarios }\n",
      ),
    ).toHaveLength(1)
  })

  it('tests of the lab may hand the built-in scenarios in, as the entries do', async () => {
    expect(
      await importErrors(
        'src/main/lab/lab.test.ts',
        "import { scenarios } from '../../../scenarios/index'\nexport { scenarios }\n",
      ),
    ).toEqual([])
  })

  it('scenarios import only the public scenario API, src/shared and each other', async () => {
    const allowed = [
      "import { defineScenario, type Mode } from '../src/main/lab/scenario-api'",
      "import { modeParam } from '../src/shared/params'",
      "import type { CompareResult } from '../src/shared/compare/types'",
      "import { unitName } from './names'",
      "import { join } from 'node:path'",
    ].join('\n')
    expect(
      await importErrors('scenarios/example.ts', `${allowed}\nexport { defineScenario, modeParam, unitName, join }\n`),
    ).toEqual([])
    expect(
      await importErrors(
        'scenarios/example.ts',
        "import type { WorkerApi } from '../src/main/lab/units/worker-api'\nexport type { WorkerApi }\n",
      ),
    ).toEqual([expect.stringContaining('Scenarios import only src/main/lab/scenario-api and src/shared')])
    expect(
      await importErrors(
        'scenarios/python/catalog.ts',
        "import { programScenario } from '../../src/main/lab/programs/program-scenario'\nexport { programScenario }\n",
      ),
    ).toHaveLength(1)
    expect(
      await importErrors('scenarios/example.ts', "import { Lab } from '../src/main/lab/lab'\nexport { Lab }\n"),
    ).toHaveLength(1)
  })

  it('electron stays out of the lab and the scenarios', async () => {
    for (const file of ['src/main/lab/lab.ts', 'scenarios/example.ts', 'src/shared/model.ts']) {
      expect(await importErrors(file, "import { app } from 'electron'\nexport { app }\n"), file).toHaveLength(1)
    }
  })
})
