#!/usr/bin/env python3
"""List Rust functions in crates/*/src longer than a limit (default 150 lines).

Works on rustfmt-formatted code: a function ends at the first closing brace at its own
indentation. Exits 1 when any function is over the limit, so it can guard CI.
Usage: scripts/long-functions.py [LIMIT]
"""
import pathlib
import re
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 150
FN = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def long_functions(path):
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    in_tests = False
    for i, line in enumerate(lines):
        if line.startswith("#[cfg(test)]"):
            in_tests = True
        m = FN.match(line)
        if not m or in_tests:
            continue
        indent = m.group(1)
        if line.rstrip().endswith(";"):
            continue
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}":
                n = j - i + 1
                if n > LIMIT:
                    yield (n, f"{path}:{i + 1}", m.group(7))
                break


def main():
    found = []
    for path in sorted(pathlib.Path("crates").glob("*/src/**/*.rs")):
        found.extend(long_functions(path))
    for n, where, name in sorted(found, reverse=True):
        print(f"{n:5} {where} {name}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
