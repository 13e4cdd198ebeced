"""Counters: threading.Thread or multiprocessing.Process units count down from 5 with a 10 ms sleep.

With the Lock on, each unit holds it for its whole count, so the output is serialised. The lock can be
flipped live (the lab writes it to stdin) while units loop.
"""

import multiprocessing as mp
import threading
import time

import labevents as lab


def count(name, kind, start, delay, lock, use_lock, loop, printed):
    lab.name_thread(name)
    lab.say("Start %s %s" % (kind, name))
    while True:
        locked = bool(use_lock.value)
        if locked:
            lab.state("waiting")
            lock.acquire()
            lab.state("holding")
        for k in range(start, 0, -1):
            text = "%s %s: %d" % (name, kind, k)
            # One counter, bumped as the line is printed: the result lists lines in the order the log shows them.
            with printed.order_lock:
                lab.say(text)
                if not loop:
                    printed.put((printed.next_seq(), text))
            time.sleep(delay)
        if locked:
            lock.release()
            lab.state("running")
        if not loop:
            break
        time.sleep(delay)
    lab.say("End %s %s" % (kind, name))


class Flag:
    """The lock switch for threads; processes use a multiprocessing.Value instead."""

    def __init__(self, value):
        self.value = value


class ListQueue:
    """What threads print into: a list behind a Queue-like put, so both modes share `count`."""

    def __init__(self):
        self.items = []
        self.order_lock = threading.Lock()
        self.seq = 0

    def put(self, item):
        self.items.append(item)

    def next_seq(self):
        self.seq += 1
        return self.seq


class ProcessPrinted:
    """What processes print into: a multiprocessing.Queue, with a shared counter for the order of the lines."""

    def __init__(self):
        self.queue = mp.Queue()
        self.order_lock = mp.Lock()
        self.seq = mp.Value("i", 0, lock=False)

    def put(self, item):
        self.queue.put(item)

    def get(self):
        return self.queue.get()

    def next_seq(self):
        self.seq.value += 1
        return self.seq.value


def main():
    p = lab.params({"mode": "thread", "workers": 2, "lock": False, "loop": False, "from": 5, "delay": 10})
    delay = p["delay"] / 1000
    names = [lab.unit_name(i) for i in range(p["workers"])]
    if p["mode"] == "process":
        lock = mp.Lock()
        use_lock = mp.Value("b", 1 if p["lock"] else 0)
        printed = ProcessPrinted()
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
    units = [lab.own(make(target=count, args=(n, p["mode"], p["from"], delay, lock, use_lock, p["loop"], printed), name=n)) for n in names]
    for u in units:
        u.start()
    lab.helpers()
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
