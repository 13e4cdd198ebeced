// V8 flags every process that hosts a lab starts with (the desktop app's main process, the browser mode, the CLI, the
// tests and the soak). The lab allocates in short bursts (a run's units, ticks, replies, recording chunks) and keeps
// little; with V8's defaults 1,000 start/stop cycles left 15-20 MB of RSS the heap did not hold (semi-spaces grown to
// 16 MB and kept, old-space pages reserved and not given back). So:
// - a young generation of at most 1 MB per semi-space;
// - an old generation that grows by 25 % past what the last full collection kept (V8 lets it grow up to 4x);
// - --expose-gc, so the lab collects when a run ends, at most every 10 s (src/main/lab/memory-release.ts): V8 collects
//   when its limits say so, not when a burst ends.
// package.json's `start`, `web`, `lab` and `bench:watch` scripts pass the same flags to node.
export const LAB_V8_FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=25', '--expose-gc']

// The environment the processes the project launches to host a lab start with (the desktop app's main process from
// `npm start`, the soak's lab). glibc gives each thread that contends for malloc an arena of its own, up to 8 per core,
// and an arena keeps what it once held: the lab's worker threads come and go with runs, and 1,000 start/stop cycles
// left about 10 MB in arenas (8.6 MB after settling). With two arenas the same cycles end 3-4 MB below where they
// started once settled (bench:soak). Other allocators ignore the variable. The browser mode started in-process and the
// CLI take it from the shell: `MALLOC_ARENA_MAX=2 npm run web`.
export const LAB_ENV = { MALLOC_ARENA_MAX: '2' }
