"""pytest plugin for bench/selection: per-test outcomes of the ground-truth runs.

Loaded with ``-p rigorbench`` (PYTHONPATH=bench/selection).

``RIGORBENCH_OUT=path``: append one JSON line per test: ``{"id", "outcome", "duration_s"}``
(outcome: passed, failed, error, skipped); collection errors are written with the collected
file's node id and outcome ``error``.
"""

import json
import os

_out = os.environ.get("RIGORBENCH_OUT")
_state = {}


def _write(rec):
    if _out:
        with open(_out, "a") as f:
            f.write(json.dumps(rec) + "\n")


def pytest_collectreport(report):
    if report.failed:
        _write({"id": report.nodeid, "outcome": "error", "duration_s": 0.0, "collect": True})


def pytest_runtest_logreport(report):
    st = _state.setdefault(report.nodeid, {"outcome": "passed", "duration_s": 0.0})
    st["duration_s"] += report.duration
    if report.failed:
        st["outcome"] = "failed" if report.when == "call" else "error"
    elif report.skipped and report.when in ("setup", "call") and st["outcome"] == "passed":
        st["outcome"] = "skipped"
    if report.when == "teardown":
        _write({"id": report.nodeid, "outcome": st["outcome"], "duration_s": st["duration_s"]})
        _state.pop(report.nodeid, None)
