"""pytest plugin for bench/selection: per-test outcomes and an optional per-test coverage map.

Loaded with ``-p rigorbench`` (PYTHONPATH=bench/selection).

* ``RIGORBENCH_OUT=path``: append one JSON line per test: ``{"id", "outcome", "duration_s"}``
  (outcome: passed, failed, error, skipped); collection errors are written with the collected
  file's node id and outcome ``error``.
* ``RIGORBENCH_COVDIR=dir``: measure line coverage with coverage.py, one dynamic context per
  test (the pytest node id) — what ``rigor run --coverage-map`` records. Coverage starts when
  this plugin is imported (before conftest files), so import-time lines land in the empty context.
"""

import json
import os
import time

_cov = None
_covdir = os.environ.get("RIGORBENCH_COVDIR")
if _covdir:
    import coverage

    os.makedirs(_covdir, exist_ok=True)
    _cov = coverage.Coverage(data_file=os.path.join(_covdir, ".coverage"), branch=False, source=[os.getcwd()])
    _cov.start()

_out = os.environ.get("RIGORBENCH_OUT")
_state = {}


def _write(rec):
    if _out:
        with open(_out, "a") as f:
            f.write(json.dumps(rec) + "\n")


def pytest_collectreport(report):
    if report.failed:
        _write({"id": report.nodeid, "outcome": "error", "duration_s": 0.0, "collect": True})


def pytest_runtest_setup(item):
    if _cov is not None:
        _cov.switch_context(item.nodeid)


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


def pytest_runtest_teardown(item):
    pass


def pytest_runtest_logfinish(nodeid, location):
    if _cov is not None:
        _cov.switch_context("")


def pytest_unconfigure(config):
    if _cov is not None:
        _cov.stop()
        _cov.save()
