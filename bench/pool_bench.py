"""Python's executors on the CPU-bound task of bench/pool.bench.ts: fib(n) x tasks, tasks/s medians as JSON.

Usage: python3 bench/pool_bench.py WORKERS TASKS N REPEAT. Standard library only. Executors are created and warmed
before timing, as the Node pools are.
"""
import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def rate(run, tasks):
    t0 = time.perf_counter()
    run()
    return tasks / (time.perf_counter() - t0)


def main():
    workers, tasks, n, repeat = (int(a) for a in sys.argv[1:5])
    inputs = [n] * tasks
    rates = {"sequential": [], "ThreadPoolExecutor": [], "ProcessPoolExecutor": []}
    with ThreadPoolExecutor(workers) as threads, ProcessPoolExecutor(workers) as processes:
        for ex in (threads, processes):
            list(ex.map(fib, [15] * workers * 2))
        for _ in range(repeat):
            rates["sequential"].append(rate(lambda: [fib(x) for x in inputs], tasks))
            rates["ThreadPoolExecutor"].append(rate(lambda: list(threads.map(fib, inputs)), tasks))
            rates["ProcessPoolExecutor"].append(rate(lambda: list(processes.map(fib, inputs)), tasks))
    print(json.dumps({k: statistics.median(v) for k, v in rates.items()}))


if __name__ == "__main__":
    main()
