"""Side channel from a Python scenario to Parallel Lab: tutorial lines, task and state events, the result.

Events are JSON lines written to the descriptor named by PARALLEL_LAB_EVENTS_FD (the lab passes fd 3).
A process started with the spawn method does not inherit that descriptor; it writes "@lab {json}" lines
to stderr instead. Run outside the lab, every function still works: lines are printed, events dropped.
Standard library only.
"""

import json
import os
import sys
import threading
import time

_FD_ENV = "PARALLEL_LAB_EVENTS_FD"
_INO_ENV = "PARALLEL_LAB_EVENTS_INO"
_PREFIX = "@lab "

_fd = None
_fd_pid = None
_lock = threading.Lock()
_flags = {}
_flag_listeners = []


def _channel():
    """The events descriptor of this process, or None (then stderr). Checked again after a fork or spawn."""
    global _fd, _fd_pid
    if _fd_pid == os.getpid():
        return _fd
    _fd_pid = os.getpid()
    _fd = None
    raw = os.environ.get(_FD_ENV)
    if not raw:
        return None
    try:
        fd = int(raw)
        ino = os.fstat(fd).st_ino
    except (ValueError, OSError):
        return None
    expected = os.environ.get(_INO_ENV)
    if expected is None:
        # The first process to look is the one the lab started: remember which file the descriptor is, so a
        # spawned child that happens to reuse the number for something else does not write events into it.
        os.environ[_INO_ENV] = str(ino)
    elif expected != str(ino):
        return None
    _fd = fd
    return _fd


def connected():
    """True when running under the lab."""
    return _FD_ENV in os.environ


def emit(kind, **fields):
    """Writes one event. One os.write per line keeps lines whole across threads and processes (under PIPE_BUF)."""
    if not connected():
        return
    event = {"type": kind, "at": time.time() * 1000, "pid": os.getpid(), "tid": threading.get_native_id()}
    event.update(fields)
    line = json.dumps(event, separators=(",", ":"), default=str) + "\n"
    fd = _channel()
    data = line.encode() if fd is not None else (_PREFIX + line).encode()
    with _lock:
        try:
            os.write(fd if fd is not None else 2, data)
        except OSError:
            pass


def say(text):
    """A tutorial line ("khanh: 5"): a log line of this thread under the lab, printed otherwise."""
    if connected():
        emit("log", text=str(text))
    else:
        print(text, flush=True)


def task(pool, number, name, phase, **fields):
    """phase: submitted (in the submitter), started / finished (in the worker thread or process that runs it)."""
    emit("task", pool=pool, task=number, name=name, phase=phase, **fields)


def state(name):
    """This thread's own state: 'waiting' (for a lock), 'holding' (a lock) or 'running'."""
    emit("state", state=name)


def mark(text):
    emit("mark", text=text)


def result(value):
    """The scenario's structured result; printed as JSON when run outside the lab."""
    if connected():
        emit("result", value=value)
    else:
        print(json.dumps(value, indent=2, default=str))


def params(defaults):
    """Scenario parameters: a JSON object as the first argument, over these defaults."""
    values = dict(defaults)
    if len(sys.argv) > 1:
        values.update(json.loads(sys.argv[1]))
    return values


def name_thread(name):
    """Sets this OS thread's name (what /proc/PID/task/TID/comm and the lab show). Linux only; best effort."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_name = 15
        libc.prctl(pr_set_name, name.encode()[:15], 0, 0, 0)
    except (OSError, AttributeError):
        pass


def flag(name, default=False):
    return _flags.get(name, default)


def on_flag(callback):
    """Calls callback(name, value) when the lab flips a live switch (the lock)."""
    _flag_listeners.append(callback)


def _read_flags():
    # Raw reads of fd 0, not sys.stdin: a process forked while this thread sits in sys.stdin.read holds that
    # object's lock forever, and multiprocessing closes sys.stdin in every child it starts.
    name_thread("lab-flags")
    pending = b""
    while True:
        try:
            chunk = os.read(0, 4096)
        except OSError:
            return
        if not chunk:
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            _apply_flags(line)


def _apply_flags(line):
    try:
        message = json.loads(line)
    except ValueError:
        return
    if message.get("t") == "flags":
        for key, value in message.get("flags", {}).items():
            _flags[key] = value
            for callback in _flag_listeners:
                callback(key, value)


def listen_for_flags():
    """Reads live switches from stdin in a daemon thread (the lab writes {"t": "flags", "flags": {...}} lines, as to its own units)."""
    if connected():
        threading.Thread(target=_read_flags, name="lab-flags", daemon=True).start()


class Timer:
    """Thread CPU time and wall time of one task, for its `finished` event."""

    def __init__(self):
        self.cpu = time.thread_time()

    def cpu_ms(self):
        return (time.thread_time() - self.cpu) * 1000


def tracked(pool, number, name, fn, *args):
    """Runs fn(*args) as task `number` of `pool`, reporting started / finished from the thread or process running it.

    Module-level, so executors and multiprocessing.Pool can pickle it with the task.
    """
    task(pool, number, name, "started")
    timer = Timer()
    try:
        value = fn(*args)
    except BaseException as exc:
        task(pool, number, name, "finished", ok=False, error=repr(exc), cpuMs=timer.cpu_ms())
        raise
    task(pool, number, name, "finished", ok=True, cpuMs=timer.cpu_ms())
    return value


def executor(kind, workers, name="executor"):
    """A ProcessPoolExecutor ("process") or ThreadPoolExecutor whose workers carry `name` as their OS thread name."""
    import concurrent.futures as cf

    make = cf.ProcessPoolExecutor if kind == "process" else cf.ThreadPoolExecutor
    return make(max_workers=workers, initializer=name_thread, initargs=(name,))


NAMES = ["khanh", "ai", "binh", "chi", "dung", "giang", "hai", "lan", "minh", "nga", "phuong", "quang", "son", "thu", "uyen", "vy"]


def unit_name(i):
    """The tutorial's unit names ("khanh", "ai"), then more in the same spirit."""
    return NAMES[i] if i < len(NAMES) else "unit %d" % (i + 1)


# Look at the descriptor now, in the process the lab started, before any child exists (see _channel).
_channel()
