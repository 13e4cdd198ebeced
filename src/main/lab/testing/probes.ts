// Small C programs that put threads and processes in known states, compiled with gcc into a temp dir for a test.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PRELUDE = `
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void spin_for(double s) { double end = now() + s; volatile unsigned long x = 0; while (now() < end) x++; }
static void sleep_for(double s) { struct timespec t = { (time_t)s, (long)((s - (time_t)s) * 1e9) }; nanosleep(&t, 0); }
`

export const PROBES = {
  /** The main thread exits (pthread_exit) after 1 s; a spinner named "spinner" runs for argv[1] s more. */
  zombieLeader: `
static void *spinner(void *a) { pthread_setname_np(pthread_self(), "spinner"); spin_for(atof((char *)a)); return 0; }
int main(int argc, char **argv) { pthread_t t; pthread_create(&t, 0, spinner, argv[1]); sleep_for(1); pthread_exit(0); }`,

  /** Five named threads for argv[1] s: asleep, blocked on a held mutex, on an empty pipe, on a condition, and spinning. */
  blockedThreads: `
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER, cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int fds[2]; static double seconds;
static void *sleeper(void *a) { pthread_setname_np(pthread_self(), "sleeper"); sleep_for(seconds + 5); return 0; }
static void *locker(void *a) { pthread_setname_np(pthread_self(), "mutex"); pthread_mutex_lock(&held); return 0; }
static void *reader(void *a) { pthread_setname_np(pthread_self(), "pipe"); char c; read(fds[0], &c, 1); return 0; }
static void *waiter(void *a) { pthread_setname_np(pthread_self(), "condvar"); pthread_mutex_lock(&cm); pthread_cond_wait(&cond, &cm); return 0; }
static void *spinner(void *a) { pthread_setname_np(pthread_self(), "spinner"); spin_for(seconds); return 0; }
int main(int argc, char **argv) {
  seconds = atof(argv[1]); pipe(fds); pthread_mutex_lock(&held);
  pthread_t t[5]; void *(*fn[5])(void *) = { sleeper, locker, reader, waiter, spinner };
  for (int i = 0; i < 5; i++) pthread_create(&t[i], 0, fn[i], 0);
  pthread_join(t[4], 0); _exit(0);
}`,

  /**
   * argv[1] child processes that each spin (or sleep, when argv[3] is "sleep") for argv[2] s. With argv[3] "pin" they
   * all share one CPU, the first this process may use: a run queue on any machine.
   */
  children: `
#include <sched.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]); double s = atof(argv[2]); int idle = argc > 3 && strcmp(argv[3], "sleep") == 0;
  if (argc > 3 && strcmp(argv[3], "pin") == 0) {
    cpu_set_t set; sched_getaffinity(0, sizeof set, &set); int c = 0; while (!CPU_ISSET(c, &set)) c++;
    CPU_ZERO(&set); CPU_SET(c, &set); if (sched_setaffinity(0, sizeof set, &set) != 0) return 2;
  }
  for (int i = 0; i < n; i++) if (fork() == 0) { if (idle) sleep_for(s); else spin_for(s); _exit(0); }
  while (wait(0) > 0) {}
  return 0;
}`,

  /** Holds argv[1] MB (touched) for argv[2] ms after 0.5 s, frees it, lives 1 s more. */
  memorySpike: `
int main(int argc, char **argv) {
  size_t mb = atol(argv[1]); sleep_for(0.5);
  char *p = malloc(mb << 20); memset(p, 1, mb << 20);
  __asm__ volatile("" : : "r"(p) : "memory"); /* the memory escapes: the compiler may not drop it */
  sleep_for(atof(argv[2]) / 1000); free(p);
  sleep_for(1); return 0;
}`,

  /** argv[1] children one after another, each spinning argv[2] ms; after argv[3] s of sleep and argv[4] ms apart, if given. */
  sequentialChildren: `
int main(int argc, char **argv) {
  int n = atoi(argv[1]); double s = atof(argv[2]) / 1000, gap = argc > 4 ? atof(argv[4]) / 1000 : 0;
  if (argc > 3) sleep_for(atof(argv[3]));
  for (int i = 0; i < n; i++) { pid_t p = fork(); if (p == 0) { spin_for(s); _exit(0); } waitpid(p, 0, 0); if (gap > 0) sleep_for(gap); }
  return 0;
}`,

  /** One thread busy argv[1] % of every 10 ms for argv[2] s: a duty cycle. */
  dutyCycle: `
int main(int argc, char **argv) {
  double duty = atof(argv[1]) / 100, end = now() + atof(argv[2]), period = 0.01;
  while (now() < end) { double slot = now(); spin_for(period * duty); double rest = slot + period - now(); if (rest > 0) sleep_for(rest); }
  return 0;
}`,

  /**
   * A worker thread busy argv[1] % of every 10 ms for argv[2] s; the main thread writes its own clocks every 2 ms to the
   * file argv[3]: monotonic ns, the worker's thread CPU ns, the process's CPU ns (the truth a monitor is held to).
   */
  clockedDuty: `
#include <stdio.h>
static double duty, seconds; static clockid_t worker_clock; static volatile int ready;
static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void *worker(void *a) {
  pthread_setname_np(pthread_self(), "duty"); pthread_getcpuclockid(pthread_self(), &worker_clock); ready = 1;
  double end = now() + seconds;
  while (now() < end) { double slot = now(); spin_for(0.01 * duty); double rest = slot + 0.01 - now(); if (rest > 0) sleep_for(rest); }
  return 0;
}
int main(int argc, char **argv) {
  duty = atof(argv[1]) / 100; seconds = atof(argv[2]); FILE *f = fopen(argv[3], "w");
  pthread_t t; pthread_create(&t, 0, worker, 0); while (!ready) sleep_for(0.001);
  double end = now() + seconds;
  while (now() < end) { fprintf(f, "%lld %lld %lld\\n", ns(CLOCK_MONOTONIC), ns(worker_clock), ns(CLOCK_PROCESS_CPUTIME_ID)); sleep_for(0.002); }
  pthread_join(t, 0); fclose(f); return 0;
}`,

  /** argv[1] idle threads, and two named "waker" that sleep argv[2] s, then spin argv[3] s. */
  wakingThreads: `
static double nap, busy;
static void *idle(void *a) { sleep_for(nap + busy + 1); return 0; }
static void *waker(void *a) { pthread_setname_np(pthread_self(), "waker"); sleep_for(nap); spin_for(busy); return 0; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]); nap = atof(argv[2]); busy = atof(argv[3]); pthread_t t, w[2];
  for (int i = 0; i < n; i++) pthread_create(&t, 0, idle, 0);
  for (int i = 0; i < 2; i++) pthread_create(&w[i], 0, waker, 0);
  for (int i = 0; i < 2; i++) pthread_join(w[i], 0);
  _exit(0);
}`,

  /** argv[1] idle threads for argv[2] s. */
  manyThreads: `
static void *idle(void *a) { sleep_for(atof((char *)a)); return 0; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]); pthread_t t;
  pthread_attr_t attr; pthread_attr_init(&attr); pthread_attr_setstacksize(&attr, 65536);
  for (int i = 1; i < n; i++) pthread_create(&t, &attr, idle, argv[2]);
  sleep_for(atof(argv[2])); return 0;
}`,
} as const

export type ProbeName = keyof typeof PROBES

/** Compiles the probes into a fresh temp dir: `path(name)` gives an executable; `remove()` cleans up. */
export function compileProbes(): { dir: string; path(name: ProbeName): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-probes-'))
  const built = new Set<ProbeName>()
  return {
    dir,
    path(name) {
      const exe = join(dir, name)
      if (!built.has(name)) {
        writeFileSync(`${exe}.c`, PRELUDE + PROBES[name])
        execFileSync('gcc', ['-O1', '-pthread', '-o', exe, `${exe}.c`])
        built.add(name)
      }
      return exe
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
