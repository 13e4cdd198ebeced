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


def emit(event_type, **fields):
    """Writes one event. One os.write per line keeps lines whole across threads and processes (under PIPE_BUF)."""
    if not connected():
        return
    event = {"type": event_type, "at": time.time() * 1000, "pid": os.getpid(), "tid": threading.get_native_id()}
    event.update(fields)
    line = json.dumps(event, separators=(",", ":"), default=str) + "\n"
    fd = _channel()
    data = line.encode() if fd is not None else (_PREFIX + line).encode()
    with _lock:
        try:
            os.write(fd if fd is not None else 2, data)
        except OSError:
            pass


def _caller_line(depth=2):
    """Line number of the scenario code that called into this module (the code pane highlights it)."""
    try:
        return sys._getframe(depth).f_lineno
    except (AttributeError, ValueError):
        return None


def say(text):
    """A tutorial line ("khanh thread: 5"): a log line of this thread under the lab, printed otherwise.

    Under the lab the event carries the source line that printed it, so a log line links to its code.
    """
    if connected():
        emit("log", text=str(text), line=_caller_line())
    else:
        print(text, flush=True)


def task(pool, number, name, phase, **fields):
    """phase: submitted (in the submitter), started / finished (in the worker thread or process that runs it)."""
    emit("task", pool=pool, task=number, name=name, phase=phase, **fields)


def state(name):
    """This thread's own state: 'waiting' (for a lock), 'holding' (a lock) or 'running'."""
    emit("state", state=name)


def mark(text, kind=None, at=None):
    """A moment on the timeline. With a kind (submit, done, result, queue.get, queue.put) it is drawn as a tick on this
    thread's lane; without, as a line across the run. `at` (epoch ms) stamps a moment recorded earlier."""
    fields = {} if at is None else {"at": at}
    if kind is None:
        emit("mark", text=text, **fields)
    else:
        emit("mark", text=text, kind=kind, line=_caller_line(), **fields)


def helpers(keep=()):
    """Marks every thread of this process that the scenario did not make itself (queue feeders, pool handlers, the
    lab's own flags reader) as a helper, so the lab folds them away by default. Call it after creating pools and queues.

    keep: name fragments of helper threads that do the lesson's work and stay in view (the pool's result handler runs
    apply_async's callbacks), each relabelled by what it does.
    """
    me = threading.current_thread()
    for t in threading.enumerate():
        if t is me or t is threading.main_thread() or getattr(t, "_lab_own", False):
            continue
        tid = getattr(t, "native_id", None)
        if tid is None:
            continue
        kept = [label for key, label in keep if key in t.name]
        if kept:
            emit("thread", tid=tid, role="own", name=kept[0])
        else:
            emit("thread", tid=tid, role="helper", name=_helper_name(t.name))


def _helper_name(name):
    """"Thread-3 (_handle_results)" -> "pool result handler"; "QueueFeederThread" -> "queue feeder"."""
    for key, label in (("_handle_workers", "pool worker handler"), ("_handle_tasks", "pool task handler"), ("_handle_results", "pool result handler"), ("QueueFeeder", "queue feeder"), ("lab-flags", "lab flags reader")):
        if key in name:
            return label
    return name


def own(thread):
    """Marks a thread the scenario made itself (a tutorial unit): never folded away as a helper."""
    thread._lab_own = True
    return thread


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
        reader = threading.Thread(target=_read_flags, name="lab-flags", daemon=True)
        reader.start()
        emit("thread", tid=reader.native_id, role="helper", name="lab flags reader")


class Timer:
    """Thread CPU time and wall time of one task, for its `finished` event."""

    def __init__(self):
        self.cpu = time.thread_time()

    def cpu_ms(self):
        return (time.thread_time() - self.cpu) * 1000


def _short(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def tracked(pool, number, name, fn, *args):
    """Runs fn(*args) as task `number` of `pool`, reporting started / finished from the thread or process running it.

    The finished event carries the call and its value ("square(7)" -> "49") for the timeline's hover.
    Module-level, so executors and multiprocessing.Pool can pickle it with the task.
    """
    call = "%s(%s)" % (name, ", ".join(_short(a, 20) for a in args if not callable(a)))
    task(pool, number, name, "started", call=call)
    timer = Timer()
    try:
        value = fn(*args)
    except BaseException as exc:
        task(pool, number, name, "finished", ok=False, error=repr(exc), cpuMs=round(timer.cpu_ms(), 3), call=call)
        raise
    task(pool, number, name, "finished", ok=True, cpuMs=round(timer.cpu_ms(), 3), call=call, value=_short(value))
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


def _scale_sleep():
    """Slow motion: under PARALLEL_LAB_TIME_SCALE=k every time.sleep lasts k times longer, so a 200 ms lesson can be
    watched. The scripts keep calling time.sleep as the tutorial does; forked and spawned children inherit the scale."""
    try:
        scale = float(os.environ.get("PARALLEL_LAB_TIME_SCALE", "1"))
    except ValueError:
        return
    if scale == 1 or scale <= 0:
        return
    real = time.sleep
    if getattr(real, "_lab_scaled", False):
        return

    def sleep(seconds):
        real(seconds * scale)

    sleep._lab_scaled = True
    time.sleep = sleep


_scale_sleep()

# Look at the descriptor now, in the process the lab started, before any child exists (see _channel).
_channel()
