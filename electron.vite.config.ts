// Build of the three Electron targets (main, preload, renderer) plus the unit host every thread and child runs.
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'
// @ts-expect-error: plain ESM script without types
import { buildLabHost } from './scripts/build-lab.mjs'

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        // index: the Electron entry. web: the browser mode, runnable by plain Node (it never imports electron).
        input: { index: resolve('src/main/index.ts'), web: resolve('src/main/web/main.ts') },
        output: { chunkFileNames: 'chunks/lab-[hash].js' },
      },
    },
    plugins: [{ name: 'parallel-lab:unit-host', apply: 'build', closeBundle: () => buildLabHost() }],
  },
  preload: {
    build: {
      // CommonJS: a sandboxed renderer cannot load an ES module preload.
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [vue()],
  },
})
