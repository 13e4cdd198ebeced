"""Shared array: two processes negate [1, 2, 3, 4] in turn under a Lock.

A plain list is copied into each process: both print -1..-4 and the parent's list is unchanged.
A multiprocessing.Array is shared memory: the second process flips the first one's work back (1..4).
"""

import multiprocessing as mp
import time

import labevents as lab

VALUES = [1, 2, 3, 4]


def negate(name, numbers, lock, passes):
    lab.name_thread(name)
    lab.state("waiting")
    with lock:
        lab.state("holding")
        at = time.time()
        printed = []
        for i in range(len(numbers)):
            numbers[i] = -numbers[i]
            printed.append(numbers[i])
            lab.say("%s: %d" % (name, numbers[i]))
            time.sleep(0.01)
        passes.put((at, name, printed))
    lab.state("running")


def main():
    p = lab.params({"shared": False})
    numbers = mp.Array("i", VALUES) if p["shared"] else list(VALUES)
    lock = mp.Lock()
    passes = mp.Queue()
    units = [mp.Process(target=negate, args=(lab.unit_name(i), numbers, lock, passes)) for i in range(2)]
    for u in units:
        u.start()
    got = sorted(passes.get() for _ in units)
    for u in units:
        u.join()
    final = list(numbers[:])
    lab.say("parent sees %s" % final)
    lab.result({"shared": p["shared"], "passes": [{"name": n, "printed": pr} for _, n, pr in got], "final": final})


if __name__ == "__main__":
    main()
