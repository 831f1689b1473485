"""A tiny module whose tests produce every pytest outcome (fixture for rigor-gate's readers)."""


def add(a, b):
    return a + b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b must not be 0")
    return a / b


def classify(n):
    if n < 0:
        return "negative"
    if n == 0:
        return "zero"
    return "positive"


def never_called():
    x = 1
    return x + 1
