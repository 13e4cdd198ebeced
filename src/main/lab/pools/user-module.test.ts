// Pools on a user's own module, with no lab: named exports as tasks, errors that keep their class, and clear errors
// for a missing file, a missing export or an export that is not a function. Real threads and processes.
import { describe, expect, it } from 'vitest'
import { PoolError, RemoteError } from './index'
import { USER_TASKS, useUserModulePools } from '../testing/pool-fixture'

describe.each(['thread', 'process'] as const)('%s pool on a user module', (kind) => {
  const make = useUserModulePools(kind)

  it("submit('square', 7) calls the module's square(7); a path works as well as a file URL", async () => {
    expect(await make().submit('square', 7).result()).toBe(49)
    expect(await make({ filename: USER_TASKS.pathname }).submit('mul', 6, 7).result()).toBe(42)
  })

  it('a RangeError thrown in the module is a RangeError with the worker stack', async () => {
    const err = await make().submit('sqrt', -9).exception()
    expect(err).toBeInstanceOf(RangeError)
    expect(err!.message).toBe('sqrt of a negative number (-9)')
    expect(err!.stack).toMatch(/at sqrt \(.*user-tasks\.mjs/)
  })

  it("an error of the module's own class keeps its name, fields and cause, and says it is remote", async () => {
    const err = (await make().submit('validate', 'x').exception()) as RemoteError & { field?: string }
    expect(err).toBeInstanceOf(RemoteError)
    expect(err.remote).toBe(true)
    expect(err.name).toBe('ValidationError')
    expect(err.field).toBe('x')
    expect(err.stack).toMatch(/at validate \(.*user-tasks\.mjs/)
    const wrapped = await make().submit('wrapped').exception()
    expect(wrapped!.message).toBe('outer')
    expect(wrapped!.cause).toBeInstanceOf(RangeError)
    expect((wrapped!.cause as Error).message).toBe('inner')
  })

  it('a missing export, or one that is not a function, fails that task with a clear error; the pool goes on', async () => {
    const pool = make()
    await expect(pool.submit('squre', 2).result()).rejects.toThrow(
      /user-tasks\.mjs has no export named "squre" \(its function exports: .*square/,
    )
    await expect(pool.submit('answer').result()).rejects.toThrow(
      /Export "answer" of .*user-tasks\.mjs is a number, not a function/,
    )
    expect(await pool.submit('square', 3).result()).toBe(9)
  })

  it('a missing file is refused at once, naming it', () => {
    expect(() => make({ filename: '/no/such/tasks.mjs' })).toThrow(
      new PoolError('filename: no module file at /no/such/tasks.mjs.'),
    )
  })

  it('a module that fails to load breaks the pool with the reason', async () => {
    const broken = new URL('./fixtures/broken-module.mjs', import.meta.url)
    const pool = make({ filename: broken })
    await expect(pool.submit('square', 1).result()).rejects.toThrow(
      /is broken: loading .*broken-module\.mjs failed .*: Error: this module cannot load/,
    )
  })
})
