"""CPU-bound vs IO-bound: the same jobs sequentially, on a ThreadPoolExecutor and on a ProcessPoolExecutor.

Under the GIL the thread pool gains nothing on CPU-bound work (its threads share about one core) while the
process pool uses every core; on IO-bound work (sleeping) both gain.
"""

import concurrent.futures as cf
import resource
import threading
import time

import labevents as lab


def calibrate():
    """Loop iterations per millisecond of this machine, so a task of `work` ms is about that long alone."""
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.05:
        for _ in range(10000):
            n += 1
    return n / 50


def cpu_job(iterations):
    total = 0
    for i in range(iterations):
        total += i * i
    return total % 1000


def io_job(seconds):
    time.sleep(seconds)
    return 0


def name_thread_worker():
    lab.name_thread(threading.current_thread().name[:15])


def name_process_worker():
    lab.name_thread("proc-worker")


def cpu_seconds():
    """CPU time of this process and of its children that have ended (a process pool's workers, once shut down)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def run(kind, job, arg, tasks, workers, pool_name):
    t0 = time.perf_counter()
    numbers = list(range(1, tasks + 1))
    for n in numbers:
        lab.task(pool_name, n, job.__name__, "submitted")
    if kind == "serial":
        for n in numbers:
            lab.tracked(pool_name, n, job.__name__, job, arg)
    else:
        make = cf.ThreadPoolExecutor if kind == "thread" else cf.ProcessPoolExecutor
        init = name_thread_worker if kind == "thread" else name_process_worker
        extra = {"thread_name_prefix": "pool"} if kind == "thread" else {}
        with make(max_workers=workers, initializer=init, **extra) as ex:
            futures = [ex.submit(lab.tracked, pool_name, n, job.__name__, job, arg) for n in numbers]
            for f in futures:
                f.result()
    return time.perf_counter() - t0


def main():
    p = lab.params({"pools": "all", "job": "both", "workers": 2, "tasks": 4, "work": 400})
    kinds = ["serial", "thread", "process"] if p["pools"] == "all" else [p["pools"]]
    jobs = ["cpu", "io"] if p["job"] == "both" else [p["job"]]
    per_ms = calibrate()
    nominal = p["tasks"] * p["work"] / 1000
    out = {}
    for job_name in jobs:
        job, arg = (cpu_job, int(per_ms * p["work"])) if job_name == "cpu" else (io_job, p["work"] / 1000)
        times = {}
        cores = {}
        for kind in kinds:
            lab.mark("%s job on %s" % (job_name, kind))
            cpu0 = cpu_seconds()
            seconds = run(kind, job, arg, p["tasks"], p["workers"], "%s %s" % (job_name, kind))
            # Cores busy on average over the run: 1.0 = one core the whole time (all a GIL-bound thread pool gets).
            cores[kind] = (cpu_seconds() - cpu0) / seconds
            times[kind] = seconds
            base = times.get("serial", nominal)
            lab.say("%s-bound, %s: %.2f s, speed-up %.2fx, %.1f cores busy" % (job_name.upper(), kind, seconds, base / seconds, cores[kind]))
        base = times.get("serial", nominal)
        out[job_name] = {k: {"seconds": round(s, 3), "speedup": round(base / s, 2), "cores": round(cores[k], 2)} for k, s in times.items()}
    lab.result({"workers": p["workers"], "tasks": p["tasks"], "workMs": p["work"], "baseline": "serial" if "serial" in kinds else "nominal", "jobs": out})


if __name__ == "__main__":
    main()
