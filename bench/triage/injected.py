"""The injected failures of known cause: test modules written into a real project's test
directory by bench.py. Each module's name says the cause (tests/test_zz_<cause>_*.py); the
project's own tests failing under a source mutant are the regressions."""

FLAKY = r'''
import os
import pathlib
import random
import time

_calls = {"n": 0}


def _first_attempt(name):
    marker = pathlib.Path(__file__).with_name(".attempt-" + name)
    if marker.exists():
        marker.unlink()
        return False
    marker.write_text("1")
    return True


def test_state_first_attempt_fails_a():
    assert not _first_attempt("a"), "leftover state from an earlier attempt"


def test_state_first_attempt_fails_b():
    assert not _first_attempt("b"), "cache not warmed yet"


def test_order_dependent_counter():
    _calls["n"] += 1
    assert _calls["n"] % 2 == 0, "depends on a test that ran before it in the same process"


def test_timing_budget():
    start = time.perf_counter()
    time.sleep(random.uniform(0.0, 0.04))
    assert time.perf_counter() - start < 0.02, "took longer than the budget"


def test_random_race():
    assert random.random() < 0.5, "the other thread won the race"


def test_clock_second_parity():
    assert int(time.time() * 4) % 2 == 0, "timestamp rounding"


def test_pid_parity():
    seen = int(time.perf_counter_ns() // 1000) + os.getpid()
    assert seen % 2 == 0, "hash order differs"
'''

INFRA = r'''
import ctypes
import os
import resource
import signal
import socket
import threading
import urllib.request

import pytest


def test_service_connection_refused():
    s = socket.create_connection(("127.0.0.1", 9), timeout=2)
    s.close()


def test_http_service_unreachable():
    urllib.request.urlopen("http://127.0.0.1:9/health", timeout=2)


def test_database_port_refused():
    socket.create_connection(("127.0.0.1", 5), timeout=2)


@pytest.fixture
def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    yield s
    s.close()


def test_port_in_use(listener):
    other = socket.socket()
    other.bind(("127.0.0.1", listener.getsockname()[1]))


def test_out_of_memory():
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, hard))
    try:
        blob = bytearray(4 << 30)
        assert blob
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_disk_full():
    with open("/dev/full", "w") as f:
        f.write("x" * 10000)
        f.flush()


def test_connection_reset():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def reset():
        conn, _ = server.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()

    t = threading.Thread(target=reset)
    t.start()
    c = socket.create_connection(server.getsockname(), timeout=2)
    t.join()
    c.sendall(b"ping")
    c.recv(10)
    c.recv(10)


def test_dns_failure():
    socket.getaddrinfo("db.service.invalid", 5432)


def test_worker_killed():
    os.kill(os.getpid(), signal.SIGKILL)
'''

ENV = r'''
import ctypes
import subprocess

import pytest


def test_uses_yaml():
    import yaml  # noqa: F401


def test_uses_requests():
    import requests  # noqa: F401


def test_uses_numpy():
    import numpy  # noqa: F401


def test_uses_hypothesis_strategies():
    from hypothesis import strategies  # noqa: F401


def test_written_for_pytest_7():
    from pytest import PytestRemovedIn7Warning  # noqa: F401


def test_written_for_old_packaging():
    from packaging.version import LegacyVersion  # noqa: F401


def test_version_conflict():
    import pkg_resources

    pkg_resources.require("pytest<8")


def test_shared_library_missing():
    ctypes.CDLL("libtriage-missing.so.3")


def test_tool_not_installed():
    subprocess.run(["jq-triage-missing", "--version"], check=True)
'''

ENV_COLLECT = r'''
import dateutil.parser  # noqa: F401


def test_parse():
    pass
'''

TESTBUG = r'''
import pytest

import {pkg}


@pytest.fixture
def broken_config():
    raise RuntimeError("fixture could not build the config")


@pytest.fixture
def bad_lookup():
    return {{"a": 1}}["b"]


@pytest.fixture
def teardown_fails():
    yield 1
    raise ValueError("cleanup failed")


@pytest.fixture
def asserting_fixture():
    assert False, "fixture precondition"


def test_uses_broken_fixture(broken_config):
    pass


def test_uses_bad_lookup(bad_lookup):
    pass


def test_teardown(teardown_fails):
    pass


def test_fixture_asserts(asserting_fixture):
    pass


def test_missing_fixture(tmp_dirr):
    pass


def test_typo_in_test():
    resutl = 1
    assert result == 1  # noqa: F821


def test_wrong_project_attribute():
    {pkg}.this_function_does_not_exist()


def test_wrong_arity():
    {call}


def test_bad_index_in_test():
    data = []
    assert data[0] == 1
'''

TESTBUG_SYNTAX = r'''
def test_broken(:
    pass
'''

TESTBUG_IMPORT = r'''
from {pkg} import not_a_real_name  # noqa: F401


def test_x():
    pass
'''


def modules(pkg, call):
    """(file name, text, cause) of every injected module."""
    return [
        ("test_zz_flaky_state.py", FLAKY, "flaky"),
        ("test_zz_infra_services.py", INFRA, "infrastructure"),
        ("test_zz_env_imports.py", ENV, "environment"),
        ("test_zz_env_collect.py", ENV_COLLECT, "environment"),
        ("test_zz_testbug_fixtures.py", TESTBUG.format(pkg=pkg, call=call), "test-bug"),
        ("test_zz_testbug_syntax.py", TESTBUG_SYNTAX, "test-bug"),
        ("test_zz_testbug_import.py", TESTBUG_IMPORT.format(pkg=pkg), "test-bug"),
    ]


def cause_of(test_id):
    """The known cause of a failure from its test id (None: a project test → regression)."""
    name = test_id.split("::")[0].rsplit("/", 1)[-1]
    for prefix, cause in [
        ("test_zz_flaky", "flaky"),
        ("test_zz_infra", "infrastructure"),
        ("test_zz_env", "environment"),
        ("test_zz_testbug", "test-bug"),
    ]:
        if name.startswith(prefix):
            return cause
    return None
