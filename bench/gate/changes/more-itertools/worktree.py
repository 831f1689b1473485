"""more-itertools 10.5.0, unstaged: an untested recipe and an edited line in take() (which, as it
happens, breaks an existing test: take(None, ...))."""
p = "more_itertools/recipes.py"
s = open(p).read()
s = s.replace("def take(n, iterable):\n", "def take(n, iterable):\n    n = int(n)\n", 1)
s += '''

def take_last(n, iterable):
    """Return the last *n* items of *iterable* as a list (untested)."""
    if n <= 0:
        return []
    return list(iterable)[-n:]
'''
open(p, "w").write(s)
