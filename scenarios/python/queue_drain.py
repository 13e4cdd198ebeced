"""Queue drain: tasks "one" and "two" run one after the other on the same queue [15, 10, 5, 2].

"one" takes all four items and totals 32; "two" finds nothing to do.
"""

import multiprocessing as mp
import queue

import labevents as lab


def drain(name, items, totals):
    lab.name_thread(name)
    total = 0
    taken = []
    while True:
        try:
            item = items.get(timeout=0.2)
        except queue.Empty:
            break
        total += item
        taken.append(item)
        lab.say("%s took %d (total %d)" % (name, item, total))
    if not taken:
        lab.say("%s: nothing to do" % name)
    totals.put((name, taken, total))


def main():
    lab.params({})
    items = mp.Queue()
    for item in (15, 10, 5, 2):
        items.put(item)
    totals = mp.Queue()
    out = {}
    for name in ("one", "two"):
        unit = mp.Process(target=drain, args=(name, items, totals), name=name)
        unit.start()
        n, taken, total = totals.get()
        unit.join()
        out[n] = {"taken": taken, "total": total}
    lab.result(out)


if __name__ == "__main__":
    main()
