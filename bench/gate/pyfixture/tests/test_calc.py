import pytest

from calc import add, classify, div


def test_add():
    assert add(2, 3) == 5


def test_div_fails():
    assert div(1, 2) == 0.25, "expected a quarter <&>"


def test_classify():
    assert classify(-1) == "negative"
    assert classify(5) == "positive"


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert div(1, 0)


@pytest.fixture
def broken():
    raise RuntimeError("fixture setup failed")


def test_error(broken):
    pass
