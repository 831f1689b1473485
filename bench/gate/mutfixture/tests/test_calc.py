from calc import clamp, sign


def test_clamp():
    assert clamp(-5, 0, 10) == 0
    assert clamp(50, 0, 10) == 10


def test_sign():
    assert sign(3) == 1
