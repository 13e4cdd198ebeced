"""Counters: threading.Thread or multiprocessing.Process units count down from 5 with a 10 ms sleep.

With the Lock on, each unit holds it for its whole count, so the output is serialised. The lock can be
flipped live (the lab writes it to stdin) while units loop.
"""

import multiprocessing as mp
import threading
import time

import labevents as lab


def count(name, start, delay, lock, use_lock, loop, printed):
    lab.name_thread(name)
    while True:
        locked = bool(use_lock.value)
        if locked:
            lab.state("waiting")
            lock.acquire()
            lab.state("holding")
        for k in range(start, 0, -1):
            text = "%s: %d" % (name, k)
            lab.say(text)
            if not loop:
                printed.put((time.time(), text))
            time.sleep(delay)
        if locked:
            lock.release()
            lab.state("running")
        if not loop:
            return
        time.sleep(delay)


class Flag:
    """The lock switch for threads; processes use a multiprocessing.Value instead."""

    def __init__(self, value):
        self.value = value


class ListQueue:
    """What threads print into: a list behind a Queue-like put, so both modes share `count`."""

    def __init__(self):
        self.items = []

    def put(self, item):
        self.items.append(item)


def main():
    p = lab.params({"mode": "thread", "workers": 2, "lock": False, "loop": False, "from": 5, "delay": 10})
    delay = p["delay"] / 1000
    names = [lab.unit_name(i) for i in range(p["workers"])]
    if p["mode"] == "process":
        lock = mp.Lock()
        use_lock = mp.Value("b", 1 if p["lock"] else 0)
        printed = mp.Queue()
        make = mp.Process
    else:
        lock = threading.Lock()
        use_lock = Flag(1 if p["lock"] else 0)
        printed = ListQueue()
        make = threading.Thread

    def flip(key, value):
        if key == "lock":
            use_lock.value = 1 if value else 0

    lab.on_flag(flip)
    lab.listen_for_flags()
    units = [make(target=count, args=(n, p["from"], delay, lock, use_lock, p["loop"], printed), name=n) for n in names]
    for u in units:
        u.start()
    if p["mode"] == "process" and not p["loop"]:
        got = [printed.get() for _ in range(len(units) * p["from"])]
    for u in units:
        u.join()
    if p["mode"] == "thread":
        got = printed.items
    lab.say("all units joined")
    lab.result({"order": [text for _, text in sorted(got)]})


if __name__ == "__main__":
    main()
