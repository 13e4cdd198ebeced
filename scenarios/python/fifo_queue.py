"""Queue: a multiprocessing.Queue holds 0..9; two consumer processes each take five items with a 10 ms pause.

`stagger` holds the second consumer back before its first take: longer than the first one's takes, no turns.

Every item is taken exactly once and in FIFO order overall. A shared counter, bumped under the same lock as
the get(), records the true order of takes (timestamps taken after get() could disagree by a scheduling hiccup).
"""

import multiprocessing as mp
import time

import labevents as lab


def consume(name, count, delay, wait, items, taken, order_lock, counter, start):
    lab.name_thread(name)
    start.wait()
    if wait > 0:
        time.sleep(wait)
    for _ in range(count):
        with order_lock:
            item = items.get()
            lab.mark("%s got %d" % (name, item), kind="queue.get")
            seq = counter.value
            counter.value += 1
        taken.put((seq, item, name))
        lab.say("%s got %d" % (name, item))
        time.sleep(delay)


def main():
    p = lab.params({"items": 10, "delay": 10, "stagger": 0})
    items = mp.Queue()
    for i in range(p["items"]):
        items.put(i)
        lab.mark("put %d" % i, kind="queue.put")
    taken = mp.Queue()
    order_lock = mp.Lock()
    counter = mp.Value("i", 0, lock=False)
    start = mp.Event()
    share = [(p["items"] + 1) // 2, p["items"] // 2]
    units = [
        mp.Process(
            target=consume,
            args=(lab.unit_name(i), n, p["delay"] / 1000, p["stagger"] / 1000 if i else 0, items, taken, order_lock, counter, start),
        )
        for i, n in enumerate(share)
    ]
    for u in units:
        u.start()
    lab.helpers()
    # Both consumers exist before either takes anything, so start-up cost does not decide who goes first.
    start.set()
    got = sorted(taken.get() for _ in range(p["items"]))
    for u in units:
        u.join()
    lab.result({"taken": [{"item": item, "by": by} for _, item, by in got]})


if __name__ == "__main__":
    main()
