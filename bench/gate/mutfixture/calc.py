"""Mutation-testing fixture: some mutants are killed, some survive."""


def clamp(x, low, high):
    if x < low:
        return low
    if x > high:
        return high
    return x


def sign(n):
    if n > 0:
        return 1
    if n < 0:
        return -1
    return 0
