// The pools as they were at an earlier commit, for side-by-side figures in one bench run: a detached git worktree in a
// temp folder (sharing this checkout's node_modules), its own unit host built there, its pool modules imported from it.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** What the earlier pools offer the bench: submit, result, shutdown. */
export interface BaselinePool {
  submit(task: string, ...args: unknown[]): { result(): Promise<unknown> }
  ready(): Promise<void>
  shutdown(): Promise<void>
  kill(): Promise<void>
}

export interface Baseline {
  commit: string
  thread: BaselinePool
  process: BaselinePool
  close(): Promise<void>
}

export async function loadBaseline(root: string, commit: string, size: number): Promise<Baseline> {
  const dir = mkdtempSync(join(tmpdir(), 'pool-baseline-'))
  const tree = join(dir, 'tree')
  const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim()
  const full = git('rev-parse', commit)
  git('worktree', 'add', '--detach', tree, full)
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'))
  execFileSync(process.execPath, [join(tree, 'scripts/build-lab.mjs')], { cwd: tree, stdio: 'inherit' })
  if (!existsSync(join(tree, 'out/lab/worker-host.mjs')))
    throw new Error(`The baseline at ${commit} built no unit host.`)
  // Before the split, the pool classes took (deps, options).
  type Ctor = new (deps: unknown, opts: { size: number; name: string }) => BaselinePool
  const pools = (await import(pathToFileURL(join(tree, 'src/main/lab/pools/pool.ts')).href)) as {
    ThreadPool: Ctor
    ProcessPool: Ctor
  }
  const { standalonePoolDeps } = (await import(pathToFileURL(join(tree, 'src/main/lab/pools/standalone.ts')).href)) as {
    standalonePoolDeps: () => unknown
  }
  const thread = new pools.ThreadPool(standalonePoolDeps(), { size, name: 'baseline threads' })
  const proc = new pools.ProcessPool(standalonePoolDeps(), { size, name: 'baseline processes' })
  await Promise.all([thread.ready(), proc.ready()])
  return {
    commit: full.slice(0, 10),
    thread,
    process: proc,
    async close() {
      await Promise.all([thread.shutdown(), proc.shutdown()])
      git('worktree', 'remove', '--force', tree)
    },
  }
}
