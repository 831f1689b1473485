"""more-itertools 10.5.0: a new function whose error paths are not tested, an edit in first()."""
p = "more_itertools/more.py"
s = open(p).read()
s = s.replace("__all__ = [", "__all__ = [\n    'clamp_all',", 1)
s += '''

def clamp_all(iterable, low, high, *, strict=False):
    """Yield each item of *iterable* limited to the range [*low*, *high*].

    With *strict*, an item outside the range raises ValueError instead.
    """
    if low > high:
        raise ValueError('low must not exceed high')
    for item in iterable:
        if strict and not (low <= item <= high):
            raise ValueError(f'{item!r} is outside [{low!r}, {high!r}]')
        if item < low:
            yield low
        elif item > high:
            yield high
        else:
            yield item
'''
s = s.replace(
    "            raise ValueError(\n                'first() was called on an empty iterable, and no '\n                'default value was provided.'\n            ) from e",
    "            raise ValueError(\n                'first() was called on an empty iterable, and no '\n                'default value was provided (pass default=...).'\n            ) from e",
    1,
)
open(p, "w").write(s)
t = "tests/test_more.py"
open(t, "a").write('''

class ClampAllTests(TestCase):
    def test_clamps(self):
        self.assertEqual(list(mi.clamp_all([-5, 1, 9], 0, 5)), [0, 1, 5])
''')
