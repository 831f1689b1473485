"""rigor's pytest plugin: streams collection and per-test results to rigor as JSON lines.

Loaded by rigor with ``-p rigor_pytest``. It does nothing unless RIGOR_MODE is set:

* ``collect``: report the collected items and collection errors (with --collect-only);
* ``worker``: report the collected items, then run the node ids rigor writes to stdin, one per
  line, reporting each result as it finishes. EOF on stdin ends the session. When rigor knows
  which tests the worker may be given (a planned selection), ``RIGOR_ONLY_FILES`` lists their
  files (node-id paths, relative to the rootdir, one per line) and the worker collects only those
  (pytest >= 7); conftest.py and __init__.py files load as usual. ``RIGOR_ONLY_NAMES`` narrows
  further to the module-level classes and functions of the planned tests (``file::name`` lines).
  In collect mode, ``RIGOR_ONLY_FILES`` narrows the collection the same way (rigor re-collects
  only the files its discovery cache cannot vouch for), and the ``collected`` message carries
  ``inputs``: the project modules imported while collecting, the directories looked into and the
  site-packages directories (what the cache must watch).

The protocol channel is the process's original stdout; stdout is then pointed at stderr so that
anything tests print cannot corrupt it. The original stdin is kept privately for commands and fd 0
is pointed at /dev/null, as pytest itself does while capturing.
"""

import json
import os
import sys
import time

import pytest

_MODE = os.environ.get("RIGOR_MODE", "")
_OUT = None
_IN = None
_MAX_EXCERPT = int(os.environ.get("RIGOR_MAX_EXCERPT", "6000"))

if _MODE in ("collect", "worker"):
    _OUT = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    os.dup2(2, 1)
    if _MODE == "worker":
        _IN = os.fdopen(os.dup(0), "rb", buffering=0)
        _devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(_devnull, 0)
        os.close(_devnull)


# Per-test coverage maps (`[select] coverage_map`, `rigor run --coverage-map`): the lines each
# test ran, in one context per test (its node id) and one per module import (`import:PATH`, the
# module's import-time code and what it calls), in a data file per worker. Two recorders
# (`RIGOR_MAP_RECORDER`): "probes" (default; rigor_probes.py, block probes compiled into the
# project's modules, no dependency) and "coverage" (coverage.py's line tracer: exact lines,
# 2-3x slower; without coverage.py a `.unavailable` file tells rigor why).
_COV = None
_COV_DIR = os.environ.get("RIGOR_COVERAGE_MAP", "")
_RECORDER = os.environ.get("RIGOR_MAP_RECORDER", "probes")
_CTX = [""]


def _switch(ctx):
    _CTX[0] = ctx
    _COV.switch_context(ctx)


# Wider-scoped fixtures (module, class, package, session): each setup runs in a context of its
# own, `fixture:N:NAME`, so that every test using its value gets its lines (rigor adds them to
# the test's), not only the test whose setup ran it.
_STARTED = []  # the test node ids this worker started
_FIXTURE_RUN = {}  # id(fixturedef) -> the context of its latest setup
_FIXTURE_SETUPS = [0]
_USES = set()  # (test node id, fixture context)


class _Probes:
    """rigor_probes behind the calls the plugin makes of a recorder."""

    def __init__(self, module, path):
        self._m = module
        self._path = path

    def switch_context(self, ctx):
        self._m.switch(ctx)

    def stop(self):
        pass

    def save(self):
        tests, complete = _vouched()
        self._m.save(self._path, tests, sorted(_USES), complete)


# Child processes run project code no recorder in this process sees. A test that started one
# (or used a fixture setup that did) may have run project code without a line here: rigor must
# not read it as "ran no project code", so it is not vouched for; a child started outside tests
# and fixture setups (a hook, a module's import) leaves no test vouched for.
_SPAWNING = set()  # contexts in which a child process was started


def _watch_spawns():
    import subprocess

    def wrap(owner, name):
        orig = getattr(owner, name, None)
        if orig is None or getattr(orig, "_rigor", False):
            return

        def spawn(*a, **k):
            _SPAWNING.add(_CTX[0])
            return orig(*a, **k)

        spawn._rigor = True
        setattr(owner, name, spawn)

    wrap(subprocess.Popen, "_execute_child")
    for name in ("system", "fork", "forkpty", "posix_spawn", "posix_spawnp"):
        wrap(os, name)
    try:
        import _posixsubprocess  # multiprocessing's spawn and forkserver start methods

        wrap(_posixsubprocess, "fork_exec")
    except ImportError:
        pass


def _vouched():
    """The tests whose line-less contexts mean "ran no project code", and whether any does."""
    if any(not c or c.startswith("import:") for c in _SPAWNING):
        return [], False
    spawned_fixtures = {c for c in _SPAWNING if c.startswith("fixture:")}
    unsure = {t for t, f in _USES if f in spawned_fixtures} | _SPAWNING
    return [t for t in _STARTED if t not in unsure], True


def _save_coverage_py():
    """coverage.py's data file, then rigor's fixture uses in it (no `meta` row: see
    rigor_probes.COMPLETE_KEY). Without the uses the fixture contexts' lines count as run
    outside tests, where the graph decides."""
    _COV.save()
    path = _COV.get_data().data_filename()
    if not os.path.exists(path):
        return
    db = sqlite3.connect(path)
    try:
        rigor_probes.mark(db, uses=sorted(_USES))
        db.commit()
    finally:
        db.close()


def _fixture_defs(item):
    """Every fixture definition the test may have used: those its request resolved (also by
    `getfixturevalue`) and each definition of each name in its closure (overrides included)."""
    defs = list(getattr(getattr(item, "_request", None), "_fixture_defs", {}).values())
    info = getattr(item, "_fixtureinfo", None)
    by_name = getattr(info, "name2fixturedefs", None) or {}
    for name in getattr(item, "fixturenames", ()):
        defs.extend(by_name.get(name, ()))
    return defs


def _module_path(module, root):
    """The module's source path relative to ``root`` ('/'-separated), or None outside it."""
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(module, "__file__", None)
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return None
    rel = os.path.relpath(os.path.realpath(origin), root)
    if rel.startswith(".."):
        return None
    return rel.replace(os.sep, "/")


def _attribute_imports(root):
    """Run every module import (source loaders and pytest's rewriting hook) in its own context."""
    classes = []
    try:
        from importlib import _bootstrap_external

        classes.append(_bootstrap_external._LoaderBasics)
    except (ImportError, AttributeError):
        pass
    try:
        from _pytest.assertion.rewrite import AssertionRewritingHook

        classes.append(AssertionRewritingHook)
    except ImportError:
        pass
    for cls in classes:
        orig = cls.__dict__.get("exec_module")
        if orig is None or getattr(orig, "_rigor", False):
            continue

        def exec_module(self, module, _orig=orig):
            __tracebackhide__ = True  # pytest leaves this frame out of import errors
            rel = _module_path(module, root)
            if rel is None:
                return _orig(self, module)
            prev = _CTX[0]
            _switch("import:" + rel)
            try:
                return _orig(self, module)
            finally:
                _switch(prev)

        exec_module._rigor = True
        cls.exec_module = exec_module


if _MODE == "worker" and _COV_DIR and _RECORDER == "probes":
    os.makedirs(_COV_DIR, exist_ok=True)
    import rigor_probes

    _here = os.path.dirname(os.path.abspath(__file__))
    rigor_probes.start(os.getcwd(), skip=[_here, os.path.join(os.getcwd(), ".rigor")])
    _COV = _Probes(
        rigor_probes,
        os.path.join(_COV_DIR, ".coverage.probes.%d.%s" % (os.getpid(), os.urandom(4).hex())),
    )
    _attribute_imports(os.path.realpath(os.getcwd()))
    _watch_spawns()
elif _MODE == "worker" and _COV_DIR:
    os.makedirs(_COV_DIR, exist_ok=True)
    try:
        import coverage
    except ImportError:
        coverage = None
        with open(os.path.join(_COV_DIR, ".unavailable"), "w", encoding="utf-8") as f:
            f.write(sys.executable)
    if coverage is not None:
        # Imported now: once imports are attributed, importing a module under the root
        # switches coverage.py's context, which it refuses once stopped (at save).
        import sqlite3

        import rigor_probes

        _root = os.path.realpath(os.getcwd())
        _COV = coverage.Coverage(
            data_file=os.path.join(_COV_DIR, ".coverage"),
            data_suffix=True,
            source=[os.getcwd()],
            omit=[os.path.join(os.path.dirname(os.path.abspath(__file__)), "*")],
            config_file=False,
        )
        _COV.start()
        _attribute_imports(_root)


if _COV is not None:

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(fixturedef, request):
        if getattr(fixturedef, "scope", "function") == "function":
            yield
            return
        _FIXTURE_SETUPS[0] += 1
        ctx = "fixture:%d:%s" % (_FIXTURE_SETUPS[0], fixturedef.argname)
        _FIXTURE_RUN[id(fixturedef)] = ctx
        prev = _CTX[0]
        _switch(ctx)
        yield
        _switch(prev)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(item, nextitem):
        # Before teardown: every fixture the test used (in setup or by `getfixturevalue`) is set
        # up, and the latest setup of each definition is the one whose value it used.
        for fd in _fixture_defs(item):
            ctx = _FIXTURE_RUN.get(id(fd))
            if ctx is not None:
                _USES.add((item.nodeid, ctx))
        yield


_ONLY_FILES = os.environ.get("RIGOR_ONLY_FILES", "") if _MODE in ("collect", "worker") else ""
_only = None
# Worker mode: "file::name" lines — the module-level classes and functions of the planned tests.
# Other names of those files are not collected (their items are never built).
_ONLY_NAMES = os.environ.get("RIGOR_ONLY_NAMES", "") if _MODE == "worker" else ""


def _only_paths(root):
    """The planned files and every directory above them, as absolute paths (also resolved)."""
    files, dirs = set(), set()
    for rel in _ONLY_FILES.split("\n"):
        if not rel:
            continue
        path = os.path.normpath(os.path.join(str(root), rel))
        for p in {path, os.path.realpath(path)}:
            files.add(p)
            d = os.path.dirname(p)
            while d not in dirs:
                dirs.add(d)
                parent = os.path.dirname(d)
                if parent == d:
                    break
                d = parent
    return files, dirs


if _ONLY_NAMES:
    _names = {}
    for _line in _ONLY_NAMES.split("\n"):
        _file, _sep, _name = _line.rpartition("::")
        if _sep:
            _names.setdefault(_file, set()).add(_name)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(collector, name, obj):
        wanted = _names.get(collector.nodeid) if isinstance(collector, pytest.Module) else None
        if wanted is not None and name not in wanted:
            return []
        return None


# Collect mode: what the collection depended on, for rigor's discovery cache — the project's
# modules imported while collecting, the directories pytest collected from, site-packages.
_considered = set()
_NARROW = bool(_ONLY_FILES) and int(pytest.__version__.split(".")[0]) >= 7

if _MODE == "collect" or _NARROW:

    def pytest_ignore_collect(collection_path, config):
        global _only
        path = str(collection_path)
        if not _NARROW:
            return None
        if _only is None:
            _only = _only_paths(config.rootpath)
        files, dirs = _only
        if path in files or path in dirs or collection_path.name in ("conftest.py", "__init__.py"):
            return None
        if os.path.realpath(path) in files or os.path.realpath(path) in dirs:
            return None
        return True


if _MODE == "collect":

    def pytest_collect_file(file_path, parent):
        _considered.add(os.path.dirname(str(file_path)))
        return None

    if int(pytest.__version__.split(".")[0]) >= 8:

        def pytest_collect_directory(path, parent):
            _considered.add(str(path))
            return None


def _collection_inputs(config):
    root = str(config.rootpath)
    site = set()
    try:
        import site as _site

        site.update(_site.getsitepackages())
        site.add(_site.getusersitepackages())
    except Exception:
        pass
    site.update(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    modules = {}
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            continue
        path = os.path.abspath(path)
        if not path.startswith(root + os.sep) or "site-packages" in path or "dist-packages" in path:
            continue
        if os.path.dirname(os.path.abspath(__file__)) == os.path.dirname(path):
            continue
        modules[name] = os.path.relpath(path, root)
    dirs = set(_considered)
    for a in config.args:
        p = os.path.abspath(os.path.join(str(config.invocation_params.dir), a.split("::")[0]))
        if os.path.isdir(p):
            dirs.add(p)
    return {
        "root": root,
        "modules": modules,
        "dirs": sorted(d for d in dirs if d == root or d.startswith(root + os.sep)),
        "site": sorted(s for s in site if isinstance(s, str)),
    }


def _wire(value):
    """``value`` with every string made valid Unicode for the protocol: a lone surrogate (from an
    undecodable file name, or a test's own text such as ``assert False, "\\udcff"``) becomes its
    backslash escape as visible text, which rigor can read. Node ids go through it too, and rigor
    sends them back in this form (see ``pytest_runtestloop``)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


def _emit(obj):
    _OUT.write(json.dumps(_wire(obj), separators=(",", ":")) + "\n")
    _OUT.flush()


def _trim(text):
    if text is None:
        return None
    if len(text) <= _MAX_EXCERPT:
        return text
    head = _MAX_EXCERPT // 4
    tail = _MAX_EXCERPT - head
    return text[:head] + "\n[... %d characters cut by rigor ...]\n" % (len(text) - _MAX_EXCERPT) + text[-tail:]


def _item_info(item):
    path, lineno, _domain = item.location
    return {
        "id": item.nodeid,
        "file": path,
        "line": (lineno + 1) if isinstance(lineno, int) else None,
        "markers": sorted({m.name for m in item.iter_markers()}),
    }


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # rigor distributes the tests itself: a `-n N` in the project's addopts must not make each
    # rigor worker start pytest-xdist workers of its own.
    if _MODE and hasattr(config.option, "dist"):
        config.option.dist = "no"
        config.option.numprocesses = None


_collect_errors = []


def pytest_collectreport(report):
    if _MODE and report.failed:
        _collect_errors.append({"id": report.nodeid or ".", "text": _trim(report.longreprtext)})


def pytest_collection_finish(session):
    if not _MODE:
        return
    _emit(
        {
            "ev": "collected",
            "items": [_item_info(i) for i in session.items],
            "errors": _collect_errors,
            "python": sys.version.split()[0],
            "pytest": pytest.__version__,
            "inputs": _collection_inputs(session.config) if _MODE == "collect" else None,
        }
    )


class _Result:
    __slots__ = ("outcome", "duration", "texts", "sections", "skip_reason")

    def __init__(self):
        self.outcome = None
        self.duration = 0.0
        self.texts = []
        self.sections = []
        self.skip_reason = None


_current = {}


def pytest_runtest_logstart(nodeid, location):
    if _MODE == "worker":
        if _COV is not None:
            _switch(nodeid)
            _STARTED.append(nodeid)
        _current[nodeid] = _Result()
        _emit({"ev": "start", "id": nodeid})


def pytest_runtest_logreport(report):
    if _MODE != "worker":
        return
    res = _current.setdefault(report.nodeid, _Result())
    res.duration += getattr(report, "duration", 0.0) or 0.0
    xfail = hasattr(report, "wasxfail")
    if report.failed:
        if report.when == "call":
            res.outcome = "failed"
        elif res.outcome != "failed":
            res.outcome = "error"
        res.texts.append("[%s] %s" % (report.when, report.longreprtext))
    elif report.skipped:
        if res.outcome is None:
            res.outcome = "xfailed" if xfail else "skipped"
            if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
                res.skip_reason = str(report.longrepr[2])
            elif xfail:
                res.skip_reason = str(report.wasxfail)
    elif report.when == "call" and res.outcome is None:
        res.outcome = "xpassed" if xfail else "passed"
    for name, content in report.sections:
        if content:
            res.sections.append("----- %s -----\n%s" % (name, content))


def pytest_runtest_logfinish(nodeid, location):
    if _MODE != "worker":
        return
    res = _current.pop(nodeid, None) or _Result()
    outcome = res.outcome or "passed"
    excerpt = "\n".join(res.texts) if res.texts else res.skip_reason
    failing = outcome in ("failed", "error")
    _emit(
        {
            "ev": "result",
            "id": nodeid,
            "outcome": outcome,
            "duration": res.duration,
            "excerpt": _trim(excerpt),
            "output": _trim("\n".join(res.sections)) if (failing or _KEEP_OUTPUT) and res.sections else None,
        }
    )


_KEEP_OUTPUT = os.environ.get("RIGOR_KEEP_OUTPUT") == "1"


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    if _MODE != "worker" or session.config.option.collectonly:
        return None
    # rigor knows the ids in their wire form (see _wire).
    index = {_wire(item.nodeid): item for item in session.items}
    queue = []
    state = {"eof": False, "flush": False}

    def read_one():
        line = _IN.readline()
        if not line:
            state["eof"] = True
            return
        text = line.decode("utf-8", "replace").rstrip("\n")
        if text == "":
            state["flush"] = True
        else:
            queue.append(text)

    while True:
        # Run the head of the queue once its successor is known (so fixtures of the
        # right scope are torn down), or once rigor said there is no successor.
        while not state["eof"] and not state["flush"] and len(queue) < 2:
            read_one()
        if not queue:
            if state["eof"]:
                break
            state["flush"] = False
            continue
        nodeid = queue.pop(0)
        if not queue:
            state["flush"] = False
        item = index.get(nodeid)
        if item is None:
            _emit({"ev": "start", "id": nodeid})
            file = nodeid.split("::")[0]
            errors = [e["text"] or "" for e in _collect_errors if e["id"].split("::")[0] == file]
            why = (
                "collecting its file failed here:\n" + "\n".join(errors)
                if errors
                else "(collection differs between processes?)"
            )
            _emit(
                {
                    "ev": "result",
                    "id": nodeid,
                    "outcome": "error",
                    "duration": 0.0,
                    "excerpt": _trim("rigor asked this worker for %r, which it did not collect: %s" % (nodeid, why)),
                    "output": None,
                }
            )
            continue
        nextitem = index.get(queue[0]) if queue else None
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        if session.shouldfail or session.shouldstop:
            break
    if _COV is not None:
        _COV.switch_context("")
        _COV.stop()
        if isinstance(_COV, _Probes):
            _COV.save()
        else:
            _save_coverage_py()
    _emit({"ev": "done", "t": time.time()})
    return True
