// `npm run web [-- --port N]`: builds what is missing, then runs the lab with the browser-mode server and prints the URL.
import { fileURLToPath } from 'node:url'
import { ensureBuilt, startBrowserMode } from './start.mjs'

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureBuilt()
  await startBrowserMode(process.argv.slice(2))
}
