# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""What every test script needs whatever it tests: checks that are
counted and decide the exit status, cleanup that runs however the script
ends (normal exit, an exception, SIGTERM from meson's timeout, Ctrl-C),
temporary directories that are always removed, shell commands, and
waiting on a condition with a deadline instead of sleeping."""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

# ---- checks ----

_failed = []		# labels of the failed checks, in order
_checks = []		# {"ok", "what"} of every check, for --json reports
_groups = {}		# group -> True while every check of it passed
_lock = threading.Lock()
# report_only: compare runs (the kernel beside spillway) say what they
# saw, "yes:" or "no:", and nothing fails.
report_only = False


def check(cond, msg, group=None):
    """Count one check and print "ok: MSG" or "FAIL: MSG". A failed check
    does not stop the script: the rest still run, and the exit status is
    1 at the end (finish(), or at exit whatever way the script ends).
    group: a check id ("1a") printed first and summed by groups().
    Returns bool(cond), so a check can guard what depends on it."""
    ok = bool(cond)
    what = "%s %s" % (group, msg) if group else msg
    with _lock:
        _checks.append({"ok": ok, "what": what})
        if group is not None:
            _groups[group] = _groups.get(group, True) and ok
        if report_only:
            print(("yes: " if ok else "no: ") + what, flush=True)
            return ok
        if not ok:
            _failed.append(what)
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    return ok


def failures():
    """The failed checks so far (their messages)."""
    return list(_failed)


def checks():
    """Every check so far: [{"ok": bool, "what": str}]."""
    return list(_checks)


def groups():
    """{group: passed} of the checks made with a group."""
    return dict(_groups)


def finish(name, extra=""):
    """The last line, "NAME: N checks, M failed", and the exit status."""
    print("%s: %d checks, %d failed%s" % (name, len(_checks), len(_failed), extra),
          flush=True)
    sys.exit(1 if _failed else 0)


def skip(why):
    """Exit 77, which meson counts as a skip (and the runner as a failure
    when run as root: only what cannot run without root may skip)."""
    print(why, flush=True)
    sys.exit(77)


def need_root(what="network namespaces"):
    if os.geteuid() != 0:
        skip("needs root (%s)" % what)


# only: the parts attempt() runs (their group, or the first word of their
# name), as a script's --only or environment asks; empty: all of them.
only = set()


def attempt(name, fn, *args, group=None):
    """Run one part of a test (an attack, a scenario): an exception in it
    is a failed check, with its traceback, not the end of the script.
    Prints how long it took; returns what fn returned, or None (also for
    a part `only` leaves out)."""
    if only and (group or name.split()[0]) not in only:
        return None
    t = time.monotonic()
    try:
        return fn(*args)
    except Exception as e:	# noqa: BLE001 - every failure is reported
        traceback.print_exc()
        what = "raised %s: %s" % (type(e).__name__, str(e)[:300])
        check(False, what if group else "%s %s" % (name, what), group)
        return None
    finally:
        print("   (%s: %.1f s)" % (name, time.monotonic() - t), flush=True)


# ---- cleanup, whatever ends the script ----

_cleanups = []
_signals_set = False


def _run_cleanups():
    while _cleanups:
        fn, args = _cleanups.pop()
        try:
            fn(*args)
        except Exception as e:	# noqa: BLE001 - the others still run
            print("cleanup %s: %s" % (getattr(fn, "__name__", fn), e),
                  file=sys.stderr, flush=True)


def _on_signal(signum, frame):
    # SystemExit unwinds the main thread through its finally blocks, then
    # atexit runs the cleanups. A second signal while cleaning up is
    # ignored: the cleanup is what it asks for anyway.
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    print("harness: signal %d, cleaning up" % signum, file=sys.stderr, flush=True)
    sys.exit(128 + signum)


def _guard():
    # Registered first, so it runs last: every cleanup has run. A script
    # that failed a check never exits 0, even if it forgot finish().
    _run_cleanups()
    if _failed and not report_only:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


atexit.register(_guard)


def on_exit(fn, *args):
    """Call fn(*args) when the script ends, however it ends: at exit, on
    SIGTERM, SIGINT or SIGHUP, after an exception. Last registered, first
    run (set-up is undone in reverse order)."""
    global _signals_set
    if not _signals_set and threading.current_thread() is threading.main_thread():
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, _on_signal)
        _signals_set = True
    _cleanups.append((fn, args))
    return fn


def tmpdir(prefix="sw-test-"):
    """A temporary directory, removed when the script ends (however)."""
    d = tempfile.mkdtemp(prefix=prefix)
    on_exit(shutil.rmtree, d, True)
    return d


# ---- a mount namespace of the script's own ----

def private_run():
    """Re-run this script in a mount namespace of its own (root only),
    with an empty tmpfs on /run: a private /run where spillway's default
    control socket (/run/spillway/control.sock) and DPDK's runtime files
    belong to this script alone, and vanish with it. Call it first,
    before anything is made that exec would leave behind."""
    if os.environ.get("SW_PRIVATE_RUN") == "1":
        return
    need_root("a private mount namespace")
    env = dict(os.environ, SW_PRIVATE_RUN="1")
    cmd = 'mount -t tmpfs -o mode=0755 tmpfs /run && exec "$0" "$@"'
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                           "sh", "-c", cmd, sys.executable] + sys.argv, env)


# ---- commands ----

def sh(cmd, check=True, env=None, timeout=120, **kw):
    """Run cmd with bash; its stdout. check: a non-zero exit raises
    (CalledProcessError, with what it wrote to stderr)."""
    p = subprocess.run(["bash", "-c", cmd], text=True, capture_output=True,
                       env=dict(os.environ, **env) if env else None,
                       timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise subprocess.CalledProcessError(p.returncode, cmd, p.stdout, p.stderr)
    return p.stdout


def bg(args, **kw):
    """A background process (text pipes), killed when the script ends if
    it is still running then."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    p = subprocess.Popen(args, text=True, **kw)
    on_exit(kill, p)
    return p


def kill(p):
    """Kill a Popen if it still runs, and reap it."""
    if p.poll() is None:
        p.kill()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


# ---- waiting ----

def wait_for(cond, timeout=10.0, interval=0.05, what=None):
    """Poll cond() until it returns something true or timeout seconds
    pass; returns its last value. With `what`, a time-out raises
    TimeoutError("timed out after N s: WHAT") instead of returning the
    false value. cond is always called once more at the deadline, so a
    slow machine is never failed for checking too early."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= end:
            break
        time.sleep(interval)
    if what is not None:
        raise TimeoutError("timed out after %g s: %s" % (timeout, what))
    return v


def settle(read, quiet=0.3, timeout=10.0, interval=0.05):
    """Poll read() until it returns the same value for `quiet` seconds
    (the thing read has stopped moving), or timeout; the last value."""
    end = time.monotonic() + timeout
    last, since = read(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(interval)
        v = read()
        if v != last:
            last, since = v, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def sleep_until(t):
    """Sleep until time.monotonic() reaches t (a deadline the test
    computed from an event, e.g. a timeout running out)."""
    time.sleep(max(0.0, t - time.monotonic()))
