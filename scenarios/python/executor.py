"""Executor submit / done / result: a counting task on a pool of 5.

done() is False right after submit(), result() returns "Completed task1!", then done() is True.
With "quick" the task counts 10 with no sleep: on a thread pool it may finish before done() is asked, which then reads True.
"""

import time

import labevents as lab


def count(name, start, delay):
    for k in range(start, 0, -1):
        lab.say("%s: %d" % (name, k))
        if delay:
            time.sleep(delay)
    return "Completed %s!" % name


def main():
    p = lab.params({"executor": "process", "workers": 5, "quick": False})
    start, delay = (10, 0) if p["quick"] else (5, 0.1)
    with lab.executor(p["executor"], p["workers"]) as ex:
        lab.task("executor", 1, "count", "submitted")
        lab.mark("submit(count, 'task1')", kind="submit")
        future = ex.submit(lab.tracked, "executor", 1, "count", count, "task1", start, delay)
        done_after_submit = future.done()
        lab.mark("done() -> %s" % done_after_submit, kind="done")
        lab.say("done() right after submit: %s" % done_after_submit)
        result = future.result()
        lab.mark("result() -> %r" % result, kind="result")
        lab.say("result(): %s" % result)
        done_after_result = future.done()
        lab.mark("done() -> %s" % done_after_result, kind="done")
        lab.say("done() after result: %s" % done_after_result)
    lab.result({"executor": p["executor"], "quick": p["quick"], "doneAfterSubmit": done_after_submit, "result": result, "doneAfterResult": done_after_result})


if __name__ == "__main__":
    main()
