// V8 flags every process that hosts a lab starts with (the desktop app's main process, the browser mode, the CLI, the
// tests and the soak): a young generation of at most 1 MB per semi-space, and an old generation that grows by 25 %
// past what the last full collection kept (V8 lets it grow up to 4x). The lab allocates in short bursts (a run's
// units, ticks, replies, recording chunks) and keeps little; with V8's defaults 1,000 start/stop cycles left 15-20 MB
// of RSS the heap did not hold (semi-spaces grown to 16 MB and kept, old-space pages reserved and not given back);
// with these, RSS is back within 3 MB of where it started once the lab has been quiet for a few seconds.
// package.json's `start`, `web` and `lab` scripts pass the same flags to node.
export const LAB_V8_FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=25']
