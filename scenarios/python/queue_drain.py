"""Queue drain: tasks "one" and "two" share one queue.Queue holding [15, 10, 5, 2], submitted to a ThreadPoolExecutor.

"one" starts first and empties the queue before "two" gets going, so "one" totals 32 and "two" finds nothing to do.
It is a race that "one" nearly always wins: draining four items takes microseconds, starting a thread longer.
"""

import queue
import time
from concurrent.futures import ThreadPoolExecutor

import labevents as lab


def task(name, work_queue):
    if work_queue.empty():
        lab.name_thread(name)
        lab.say("Task %s nothing to do" % name)
        return name, [], 0
    taken = []
    total = 0
    while not work_queue.empty():
        item = work_queue.get()
        taken.append((time.time(), item))
        total += item
    lab.name_thread(name)
    # Printed after the loop: a print inside it would let the GIL pass to "two" between items.
    for at, item in taken:
        lab.mark("%s got %d" % (name, item), kind="queue.get", at=at * 1000)
    lab.say("Task %s took %s, total: %d" % (name, ", ".join(str(i) for _, i in taken), total))
    return name, [i for _, i in taken], total


def main():
    lab.params({})
    work_queue = queue.Queue()
    for item in (15, 10, 5, 2):
        work_queue.put(item)
    with ThreadPoolExecutor(max_workers=2) as executor:
        futures = [executor.submit(task, name, work_queue) for name in ("one", "two")]
        done = [f.result() for f in futures]
    out = {name: {"taken": taken, "total": total} for name, taken, total in done}
    lab.result(out)


if __name__ == "__main__":
    main()
