"""Executor map: box areas for x1=[5,10,20,35], x2=[15,20,30,55], y1=[5,10,10,15], y2=[15,20,20,35].

map() yields 100, 100, 100, 400: in input order, whichever task finishes first. Each task sleeps a random
jitter, so the tasks finish in another order than they were given (the timeline shows it), unlike apply_async's
callbacks, which arrive in completion order.
"""

import random
import time

import labevents as lab

X1 = [5, 10, 20, 35]
X2 = [15, 20, 30, 55]
Y1 = [5, 10, 10, 15]
Y2 = [15, 20, 20, 35]


def area(x1, y1, x2, y2, jitter):
    if jitter > 0:
        time.sleep(random.random() * jitter)
    return (x2 - x1) * (y2 - y1)


def area_task(number, x1, y1, x2, y2, jitter):
    return lab.tracked("map", number, "area", area, x1, y1, x2, y2, jitter)


def main():
    p = lab.params({"executor": "process", "workers": 4, "jitter": 30})
    jitter = p["jitter"] / 1000
    with lab.executor(p["executor"], p["workers"]) as ex:
        numbers = list(range(1, len(X1) + 1))
        for n in numbers:
            lab.task("map", n, "area", "submitted")
        areas = list(ex.map(area_task, numbers, X1, Y1, X2, Y2, [jitter] * len(X1)))
    for n, a in zip(numbers, areas):
        lab.say("box %d: area %d" % (n, a))
    lab.result({"executor": p["executor"], "areas": areas})


if __name__ == "__main__":
    main()
