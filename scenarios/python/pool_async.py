"""Pool.apply_async with a callback: multiprocessing.Pool(5) squares 0..19; each result is appended by a callback.

The list ends up in completion order, not submission order.
"""

import multiprocessing as mp
import random
import time

import labevents as lab


def square(x, jitter):
    if jitter > 0:
        time.sleep(random.random() * jitter)
    return x * x


def init_worker():
    # "pool worker 2": the pool numbers its processes from 1.
    lab.name_thread("pool worker %d" % mp.current_process()._identity[0])


def main():
    p = lab.params({"workers": 5, "count": 20, "jitter": 20})
    results = []

    def collect(value):
        # Runs in the pool's result-handler thread of this (the parent) process.
        results.append(value)
        lab.say("callback got %d" % value)

    with mp.Pool(p["workers"], initializer=init_worker) as pool:
        lab.helpers(keep=[("_handle_results", "callbacks")])
        pending = []
        for x in range(p["count"]):
            lab.task("pool", x + 1, "square", "submitted")
            pending.append(pool.apply_async(lab.tracked, ("pool", x + 1, "square", square, x, p["jitter"] / 1000), callback=collect))
        for r in pending:
            r.wait()
        pool.close()
        pool.join()
    lab.result({"results": results, "submitted": [x * x for x in range(p["count"])]})


if __name__ == "__main__":
    main()
