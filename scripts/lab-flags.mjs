// V8 flags every process that hosts a lab starts with (the desktop app's main process, the browser mode, the CLI, the
// tests and the soak): a young generation of at most 2 MB per semi-space. The lab allocates in short bursts (a run's
// units, ticks, replies) and keeps little; V8's default lets the young generation grow to 16 MB per semi-space and keep
// it, which read as 15-20 MB of RSS growth over 1,000 start/stop cycles with a flat heap. package.json's `start`, `web`
// and `lab` scripts pass the same flag to node.
export const LAB_V8_FLAGS = ['--max-semi-space-size=2']
