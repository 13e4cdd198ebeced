// Bundles the unit host (the file every worker thread and forked child runs) to out/lab/worker-host.mjs, the built-in
// scenarios it is handed (scenarios/index.ts) to out/lab/scenarios.mjs, the file piscina's threads run (the
// reference pool in comparisons) to out/lab/piscina-worker.mjs, and the lab's supervisor (ends what the lab started
// if the lab dies) to out/lab/supervisor.mjs.
// Units run plain JavaScript so their start-up cost is Node's own, whatever launched the lab (tsx, vitest, Electron).
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

export async function buildLabHost() {
  await build({
    absWorkingDir: root,
    entryPoints: {
      'worker-host': 'src/main/lab/units/worker-host.ts',
      scenarios: 'scenarios/index.ts',
      'piscina-worker': 'src/main/lab/pools/piscina-worker.ts',
      supervisor: 'src/main/lab/lifeline/supervisor-main.ts',
    },
    outdir: 'out/lab',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    packages: 'external',
    logLevel: 'warning',
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildLabHost()
}
