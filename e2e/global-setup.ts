// Before any spec: Chromium present (installed with apt when root) and the app built (main, preload, renderer, unit host).
// @ts-expect-error: plain ESM script without types
import { ensureChromium } from '../scripts/ensure-chromium.mjs'
// @ts-expect-error: plain ESM script without types
import { ensureBuilt } from '../scripts/start.mjs'

export default function globalSetup(): void {
  if (!ensureChromium()) throw new Error('Chromium is missing (see the line above).')
  ensureBuilt()
}
