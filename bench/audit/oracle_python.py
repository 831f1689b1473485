"""Independent audit of a requirements file against a PyPA (OSV YAML) snapshot with packaging.

Prints {"package==version": [advisory ids]} for every pinned requirement that an advisory
(not withdrawn) affects, by its `versions` list or its ECOSYSTEM ranges."""
import glob
import json
import os
import re
import sys

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
from packaging.version import InvalidVersion, Version


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(v):
    try:
        return Version(str(v))
    except InvalidVersion:
        return None


def in_range(version, events):
    # OSV: sort events by version ("0" first); introduced opens, fixed/limit close at,
    # last_affected closes after.
    keyed = []
    for e in events:
        (kind, value), = e.items()
        if kind == "introduced" and str(value) == "0":
            keyed.append((0, None, kind))
            continue
        pv = parse(value)
        if pv is not None:
            keyed.append((1, pv, kind))
    keyed.sort(key=lambda k: (k[0], k[1]) if k[1] is not None else (0, Version("0")))
    affected = False
    for _, at, kind in keyed:
        if kind == "introduced" and (at is None or version >= at):
            affected = True
        elif kind in ("fixed", "limit") and version >= at:
            affected = False
        elif kind == "last_affected" and version > at:
            affected = False
    return affected


db, req = sys.argv[1], sys.argv[2]
pins = {}
for line in open(req):
    line = line.split("#")[0].split(";")[0].strip()
    if "==" in line:
        name, version = line.split("==", 1)
        pins[norm(name)] = (name.strip(), version.strip())

found = {}
for path in glob.glob(os.path.join(db, "vulns", "*", "*.yaml")):
    doc = yaml.load(open(path), Loader=LOADER)
    if not doc or "id" not in doc or doc.get("withdrawn"):
        continue
    for aff in doc.get("affected", []):
        pkg = aff.get("package", {})
        if pkg.get("ecosystem") != "PyPI" or norm(pkg.get("name", "")) not in pins:
            continue
        name, text = pins[norm(pkg["name"])]
        v = parse(text)
        listed = any((parse(x) == v) if (v is not None and parse(x) is not None) else str(x) == text
                     for x in aff.get("versions", []))
        ranged = v is not None and any(in_range(v, r.get("events", []))
                                       for r in aff.get("ranges", []) if r.get("type") in ("ECOSYSTEM", "SEMVER"))
        if listed or ranged:
            found.setdefault(f"{norm(name)}=={text}", []).append(doc["id"])
print(json.dumps({k: sorted(set(v)) for k, v in sorted(found.items())}, indent=1))
