// Builds the unit host once before any test spawns a thread or a process.
// @ts-expect-error: plain ESM script without types
import { buildLabHost } from './build-lab.mjs'

export default async function setup(): Promise<void> {
  await buildLabHost()
}
