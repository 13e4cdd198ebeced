// Electronegativity on the Electron side (main, preload, renderer HTML and TypeScript): exits 1 on any finding.
// Its CLI exits 0 whatever it finds and it cannot parse .vue files, so this runs its API on a copy of the sources
// without them. A finding reviewed and accepted is silenced where it occurs with `// eng-disable CHECK_ID` and a reason.
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const run = require('@doyensec/electronegativity')
const csp = require('@doyensec/csp-evaluator')

const root = fileURLToPath(new URL('..', import.meta.url))
// AvailableSecurityFixesGlobalCheck downloads Electron's release list (unreachable offline; the version is pinned);
// ElectronVersionJSONCheck only reports the version read from package.json, for that check.
const EXCLUDED = ['AvailableSecurityFixesGlobalCheck', 'ElectronVersionJSONCheck']

/**
 * The CSP evaluator marks `script-src 'self'` as "maybe weak" because a same-origin host might also serve JSONP or
 * user uploads. Both origins of the renderer (app://lab and the browser-mode server) serve only the built renderer,
 * so that one remark is accepted; any other remark about a policy still fails.
 */
function onlySelfRemark(policy) {
  if (typeof policy !== 'string') return false
  const findings = new csp.CspEvaluator(new csp.CspParser(policy).csp, csp.Version.CSP3).evaluate()
  return findings.every(
    (f) =>
      f.severity >= csp.severities.MEDIUM_MAYBE &&
      (f.severity !== csp.severities.MEDIUM_MAYBE || (f.directive === 'script-src' && f.value === "'self'")),
  )
}

function accepted(issue) {
  return issue.id === 'CSP_GLOBAL_CHECK' && onlySelfRemark(issue.sample)
}

export async function checkElectronegativity() {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-lab-eng-'))
  try {
    const filter = (src) => !/\.(test|spec)\.ts$/.test(src) && !src.endsWith('.vue')
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true, filter })
    cpSync(join(root, 'package.json'), join(dir, 'package.json'))
    const result = await run({ input: dir, isRelative: true, excludeFromScan: EXCLUDED })
    const problems = [
      ...result.errors.map((e) => `could not parse ${e.file}: ${e.message}`),
      ...result.issues
        .filter((i) => !accepted(i))
        .map(
          (i) =>
            `${i.id} ${i.file}:${i.location.line} (${i.severity.name}, ${i.confidence.name}): ${i.description}${i.sample ? `\n    ${String(i.sample).trim()}` : ''}`,
        ),
    ]
    const notes = result.issues
      .filter(accepted)
      .map((i) => `${i.id} ${i.file}:${i.location.line}: accepted (only the script-src 'self' remark)`)
    return { checks: result.globalChecks + result.atomicChecks, problems, notes }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { checks, problems, notes } = await checkElectronegativity()
  for (const n of notes) console.log(`  ${n}`)
  if (problems.length === 0) {
    console.log(`Electronegativity: ${checks} checks, no findings.`)
  } else {
    console.error(`Electronegativity: ${problems.length} finding(s):`)
    for (const p of problems) console.error(`  ${p}`)
    process.exitCode = 1
  }
}
