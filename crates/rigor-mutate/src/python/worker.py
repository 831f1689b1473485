"""rigor mutate's pytest worker: collects the tests once, then runs batches on request.

Protocol: JSON lines. The worker reads commands on the stdin it was started with and answers
on the stdout it was started with (pytest's own output goes to stderr):
  <- {"ready": [nodeid, ...]}                      after collection
  -> {"mutant": 7, "tests": [...], "timeout": 3.5, "probe": false, "stop_first": true}
  <- {"mutant": 7, "results": [[nodeid, outcome, seconds, [reached ids]]], "timeout": bool}
  -> {"quit": true}
Each batch runs in a forked child (its own process group) with mutant 7 switched on, so state a
mutant leaves behind dies with the child; a child that outlives its timeout is killed with its
process group. "probe" records, per test, which mutants' code the test reached.
"""
import builtins
import json
import os
import select
import signal
import sys
import tempfile
import time

_proto_out = os.fdopen(os.dup(1), "w", buffering=1)
_cmd_in = os.fdopen(os.dup(0), "r")
os.dup2(2, 1)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)


class _Switch:
    """The `_rigor_m` built-in the rewritten modules call: on(id) is the mutant switch."""

    def __init__(self):
        self.active = 0
        self.hits = None

    def on(self, i):
        return i == self.active

    def probe(self, i):
        self.hits.add(i)
        return False


_switch = _Switch()
builtins._rigor_m = _switch


def _send(obj):
    _proto_out.write(json.dumps(obj) + "\n")
    _proto_out.flush()


def _run_child(items, cmd, out_path):
    from _pytest.runner import runtestprotocol

    tests = cmd["tests"]
    probe = cmd.get("probe", False)
    stop_first = cmd.get("stop_first", True)
    _switch.active = cmd.get("mutant", 0)
    if probe:
        _switch.on = _switch.probe
    results = []
    with open(out_path, "w") as out:
        for idx, nid in enumerate(tests):
            item = items.get(nid)
            if item is None:
                out.write(json.dumps([nid, "missing", 0.0, []]) + "\n")
                out.flush()
                continue
            nxt = items.get(tests[idx + 1]) if idx + 1 < len(tests) else None
            out.write(json.dumps([nid, "started", 0.0, []]) + "\n")
            out.flush()
            _switch.hits = set()
            t0 = time.perf_counter()
            try:
                reports = runtestprotocol(item, nextitem=nxt, log=False)
                if any(r.failed for r in reports):
                    outcome = "failed"
                elif any(r.skipped for r in reports):
                    outcome = "skipped"
                else:
                    outcome = "passed"
            except BaseException:  # noqa: BLE001 - a mutant may raise anything, even SystemExit
                outcome = "failed"
            dt = time.perf_counter() - t0
            hits = sorted(_switch.hits) if probe else []
            out.write(json.dumps([nid, outcome, dt, hits]) + "\n")
            out.flush()
            results.append(outcome)
            if stop_first and outcome == "failed":
                break


def _read_results(path):
    done, started = [], None
    try:
        with open(path) as f:
            for line in f:
                try:
                    row = json.loads(line)
                except ValueError:
                    break
                if row[1] == "started":
                    started = row[0]
                else:
                    done.append(row)
                    started = None
    except OSError:
        pass
    return done, started


def _die_with_parent():
    """Linux: the child (in its own process group) is killed when the worker dies, e.g. when
    rigor is interrupted; elsewhere the timeout still bounds it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait(pid, timeout):
    """Wait for the child to exit; False when it is still running after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    try:
        pause = 0.0005
        while True:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if pidfd is not None:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.02)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _batch(items, cmd):
    fd, path = tempfile.mkstemp(prefix="rigor-mutate-")
    os.close(fd)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setpgid(0, 0)
            _die_with_parent()
            _run_child(items, cmd, path)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass
    timed_out = not _wait(pid, float(cmd.get("timeout", 60.0)))
    if timed_out:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
    results, hung = _read_results(path)
    os.unlink(path)
    reply = {"mutant": cmd.get("mutant", 0), "results": results, "timeout": timed_out}
    if hung is not None:
        reply["hung"] = hung
    return reply


class RigorMutatePlugin:
    def pytest_runtestloop(self, session):
        items = {it.nodeid: it for it in session.items}
        _send({"ready": list(items)})
        trace = os.environ.get("RIGOR_MUTATE_TRACE")
        for line in _cmd_in:
            cmd = json.loads(line)
            if cmd.get("quit"):
                break
            t0 = time.perf_counter()
            reply = _batch(items, cmd)
            if trace:
                with open(trace, "a") as f:
                    f.write("%d batch %s: %.1f ms\n" % (os.getpid(), cmd.get("mutant"), (time.perf_counter() - t0) * 1000))
            _send(reply)
        return True


def main():
    import pytest

    args = sys.argv[1:]
    code = pytest.main(args, plugins=[RigorMutatePlugin()])
    if code not in (0, 5):
        _send({"error": "pytest exited with code %s before or after the batches" % int(code)})
    sys.exit(0)


if __name__ == "__main__":
    main()
