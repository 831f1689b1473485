"""Per-test line maps by probes, rigor's default recorder for `[select] coverage_map`.

A line tracer (coverage.py's CTracer on Python 3.11) is called for every line and every
generator resume, which costs 2-3x on tight pure-Python code. This recorder instead compiles
each project module (imported through Python's source loader) with one probe per block: the
first statement of every function body and of every nested block (if/else, loop bodies, try
clauses, with and match bodies) becomes ``__rigor_hits__[N] = 1``, a store into one bytearray
found in ``builtins``. A block's probe stands for the lines the block owns (its statements'
lines minus those of nested blocks, which have their own probes); a test "covers" the lines of
every block it entered. Statements after an exception in a block are counted too: the map may
over-approximate, never under-approximate, which errs toward selecting.

Lines outside function bodies (module-level code, class bodies, decorators, default values,
``def`` lines) run when the module is imported: they are attributed to the context in which
the module was compiled, ``import:PATH`` under rigor's plugin.

At the end the maps are written as a coverage.py-compatible SQLite data file (tables ``file``,
``context``, ``line_bits`` with numbits), which rigor imports like coverage.py's own, plus what
only rigor reads (see ``mark``): the tests the plugin vouches for (started, with or without
lines), the ``meta`` row that says so, and which wider-scoped fixture setups each test used.
"""

import ast
import builtins
import os
import sqlite3
import sys

NAME = "__rigor_hits__"
_HITS = bytearray()
_PROBES = []  # probe index -> (file index, int mask of lines)
_FILES = []  # file index -> absolute path
_FILE_IDS = {}  # absolute path -> file index (a module imported again keeps its file's index)
_ROWS = {}  # context -> {file index: int mask of lines}
_CTX = [""]
_STATE = {"root": None, "skip": ()}


def _span(first, last):
    """The mask of lines first..last."""
    return ((1 << (last - first + 1)) - 1) << first


def _header(stmt, first_child):
    """Lines of a compound statement's header: up to the line before its first nested statement."""
    last = max(stmt.lineno, first_child - 1) if first_child else stmt.end_lineno
    return _span(stmt.lineno, last)


def _first_line(stmts):
    return stmts[0].lineno if stmts else 0


def _is_docstring(s):
    return (
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Constant)
        and isinstance(s.value.value, str)
    )


class _Instrumenter:
    """Inserts probes into one module's tree and computes the lines each probe stands for."""

    def __init__(self, file_index):
        self.file = file_index
        self.import_lines = 0

    def module(self, tree):
        tree.body = self.outside(tree.body)
        return tree

    def outside(self, stmts):
        """Statements run at import (module level, class bodies outside functions)."""
        out = []
        for s in stmts:
            self.import_lines |= self.place(s, None)
            out.append(s)
        return out

    def place(self, s, probe):
        """Instrument `s` (owned by `probe`, None = import time); return the lines it owns."""
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([d.lineno for d in s.decorator_list] + [s.lineno])
            own = _span(first, max(s.lineno, _first_line(s.body) - 1))
            s.body = self.block(s.body, function=True)
            return own
        if isinstance(s, ast.ClassDef):
            first = min([d.lineno for d in s.decorator_list] + [s.lineno])
            own = _span(first, max(s.lineno, _first_line(s.body) - 1))
            for child in s.body:
                own |= self.place(child, probe)
            return own
        if isinstance(s, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            own = _header(s, _first_line(s.body))
            s.body = self.nested(s.body, probe)
            s.orelse = self.nested(s.orelse, probe)
            return own
        if isinstance(s, (ast.With, ast.AsyncWith)):
            own = _header(s, _first_line(s.body))
            s.body = self.nested(s.body, probe)
            return own
        if isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            own = _span(s.lineno, s.lineno)
            s.body = self.nested(s.body, probe)
            for h in s.handlers:
                # The `except` clause is evaluated whenever the body raises: it belongs to the
                # block around the try statement, not to the handler's body.
                own |= _header(h, _first_line(h.body))
                h.body = self.nested(h.body, probe)
            s.orelse = self.nested(s.orelse, probe)
            s.finalbody = self.nested(s.finalbody, probe)
            return own
        if _is_docstring(s):
            # A string statement runs no code of its own (docstrings): no lines, so that
            # editing documentation selects nothing through the map.
            return 0
        if type(s).__name__ == "Match":
            own = _header(s, s.cases[0].pattern.lineno if s.cases else 0)
            for case in s.cases:
                own |= _header(case.pattern, _first_line(case.body))
                if case.guard is not None:
                    own |= _span(case.guard.lineno, case.guard.end_lineno)
                case.body = self.nested(case.body, probe)
            return own
        return _span(s.lineno, s.end_lineno)

    def nested(self, stmts, outer):
        """A nested block: its own probe inside functions, the import lines outside them."""
        if not stmts:
            return stmts
        if outer is None:
            for s in stmts:
                self.import_lines |= self.place(s, None)
            return stmts
        return self.block(stmts, function=False)

    def block(self, stmts, function):
        """Give `stmts` a probe of their own, first (after a function's docstring)."""
        index = len(_PROBES)
        _PROBES.append(None)
        mask = 0
        for s in stmts:
            mask |= self.place(s, index)
        _PROBES[index] = (self.file, mask)
        at = 1 if function and stmts and _is_docstring(stmts[0]) else 0
        anchor = stmts[min(at, len(stmts) - 1)]
        probe = ast.Assign(
            targets=[
                ast.Subscript(
                    value=ast.Name(id=NAME, ctx=ast.Load()),
                    slice=ast.Constant(value=index),
                    ctx=ast.Store(),
                )
            ],
            value=ast.Constant(value=1),
        )
        for node in ast.walk(probe):
            ast.copy_location(node, anchor)
            node.end_lineno = anchor.lineno
            node.end_col_offset = anchor.col_offset
        return stmts[:at] + [probe] + stmts[at:]


def _recordable(path):
    """The file's real path when it belongs to the project under the root, else None."""
    if not path or not path.endswith(".py"):
        return None
    real = os.path.realpath(path)
    root = _STATE["root"]
    if not real.startswith(root + os.sep):
        return None
    for skip in _STATE["skip"]:
        if real.startswith(skip + os.sep) or real == skip:
            return None
    parts = real[len(root) :].split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return None
    return real


def _instrumented_code(path, data):
    """Compile `data` (the source of `path`) with probes; None when it cannot be parsed."""
    try:
        tree = ast.parse(data, path)
    except (SyntaxError, ValueError):
        return None
    index = _FILE_IDS.get(path)
    if index is None:
        index = _FILE_IDS[path] = len(_FILES)
        _FILES.append(path)
    inst = _Instrumenter(index)
    try:
        tree = inst.module(tree)
        code = compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, TypeError, RecursionError):
        # Not instrumented: the file gets no rows at all (its probes from an earlier
        # import, if any, are dropped too), so the graph decides for it.
        _FILES[index] = None
        return None
    need = len(_PROBES) - len(_HITS)
    if need > 0:
        _HITS.extend(bytes(need))
    row = _ROWS.setdefault(_CTX[0], {})
    row[index] = row.get(index, 0) | inst.import_lines
    return code


def _flush():
    """Attribute the blocks entered since the last switch to the current context."""
    i = _HITS.find(1)
    if i == -1:
        return
    row = _ROWS.setdefault(_CTX[0], {})
    while i != -1:
        _HITS[i] = 0
        f, mask = _PROBES[i]
        row[f] = row.get(f, 0) | mask
        i = _HITS.find(1, i + 1)


def switch(ctx):
    """From now on, entered blocks belong to `ctx` (a test's node id, `import:PATH` or '')."""
    _flush()
    _CTX[0] = ctx


def start(root, skip=()):
    """Instrument project modules under `root` from now on (paths under `skip` excepted)."""
    from importlib import _bootstrap_external

    _STATE["root"] = os.path.realpath(root)
    _STATE["skip"] = tuple(os.path.realpath(s) for s in skip) + tuple(
        os.path.realpath(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}
    )
    setattr(builtins, NAME, _HITS)
    cls = _bootstrap_external.SourceLoader
    orig = cls.__dict__["get_code"]
    if getattr(orig, "_rigor", False):
        return

    def get_code(self, fullname, _orig=orig):
        __tracebackhide__ = True  # pytest leaves this frame out of import errors
        try:
            path = self.get_filename(fullname)
        except ImportError:
            return _orig(self, fullname)
        real = _recordable(path)
        if real is None:
            return _orig(self, fullname)
        code = _instrumented_code(real, self.get_data(path))
        return code if code is not None else _orig(self, fullname)

    get_code._rigor = True
    cls.get_code = get_code


# `meta` key of a data file whose `rigor_tests` table lists the tests the worker vouches for:
# each ran with the recorder on, and whatever project code it ran in this process is in this
# file. rigor reads such a test without lines as "ran, no project code" only from a file
# carrying the row. coverage.py's files never do (a tracer replaced by a test's own
# `sys.settrace` records nothing more, so a context without lines proves nothing there).
COMPLETE_KEY = "rigor_contexts"
COMPLETE_VALUE = "complete"


def mark(db, tests=(), uses=(), complete=False):
    """Add rigor's side data to an open data file, in the caller's transaction.

    `uses`: (test node id, fixture context) pairs, the wider-scoped fixture setups (each recorded
    in a context of its own) whose values each test used: rigor adds those contexts' lines to the
    test's. `tests` (table `rigor_tests`) and the `meta` row only with `complete`.
    """
    db.execute("CREATE TABLE IF NOT EXISTS rigor_fixture_use (context TEXT, fixture TEXT)")
    db.executemany("INSERT INTO rigor_fixture_use (context, fixture) VALUES (?, ?)", list(uses))
    if not complete:
        return
    db.execute("CREATE TABLE IF NOT EXISTS rigor_tests (context TEXT)")
    db.executemany(
        "INSERT INTO rigor_tests (context) VALUES (?)", [(t,) for t in sorted(set(tests))]
    )
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT, value TEXT, UNIQUE (key))")
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (COMPLETE_KEY, COMPLETE_VALUE)
    )


def save(path, tests=(), uses=(), complete=True):
    """Write the maps as a coverage.py-compatible SQLite data file at `path`, with the fixture
    `uses` and, when `complete`, the `tests` the worker vouches for (see `mark`)."""
    _flush()
    # A name rigor's importer does not read (it reads `.coverage*`) until it is complete.
    tmp = os.path.join(os.path.dirname(path), "tmp-" + os.path.basename(path))
    if os.path.exists(tmp):
        os.remove(tmp)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(
            "CREATE TABLE file (id INTEGER PRIMARY KEY, path TEXT UNIQUE);"
            "CREATE TABLE context (id INTEGER PRIMARY KEY, context TEXT UNIQUE);"
            "CREATE TABLE line_bits (file_id INTEGER, context_id INTEGER, numbits BLOB,"
            " UNIQUE (file_id, context_id));"
        )
        db.executemany(
            "INSERT INTO file (id, path) VALUES (?, ?)",
            [(i, p) for i, p in enumerate(_FILES) if p is not None],
        )
        contexts = sorted(_ROWS)
        db.executemany(
            "INSERT INTO context (id, context) VALUES (?, ?)", list(enumerate(contexts))
        )
        rows = []
        for ci, ctx in enumerate(contexts):
            for f, mask in _ROWS[ctx].items():
                if mask and _FILES[f] is not None:
                    rows.append((f, ci, mask.to_bytes((mask.bit_length() + 7) // 8, "little")))
        db.executemany("INSERT INTO line_bits (file_id, context_id, numbits) VALUES (?, ?, ?)", rows)
        mark(db, tests, uses, complete)
        db.commit()
    finally:
        db.close()
    # Only a complete file becomes visible to rigor (a failed save leaves none).
    os.replace(tmp, path)
