"""Print N pinned requirements drawn from a PyPA advisory snapshot (deterministic)."""
import glob
import os
import sys

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
from packaging.version import InvalidVersion, Version

db, n = sys.argv[1], int(sys.argv[2])
projects = sorted(os.listdir(os.path.join(db, "vulns")))
lines = []
for i, project in enumerate(projects):
    if len(lines) >= n:
        break
    candidates = []
    for path in sorted(glob.glob(os.path.join(db, "vulns", project, "*.yaml"))):
        doc = yaml.load(open(path), Loader=LOADER)
        for aff in doc.get("affected", []):
            candidates += [str(v) for v in aff.get("versions", [])]
            for r in aff.get("ranges", []):
                if r.get("type") == "ECOSYSTEM":
                    candidates += [str(e["fixed"]) for e in r.get("events", []) if "fixed" in e]
    valid = []
    for c in candidates:
        try:
            Version(c)
            valid.append(c)
        except InvalidVersion:
            pass
    if not valid:
        continue
    version = sorted(set(valid), key=Version)[(i * 7) % len(set(valid))]
    # Mixed spellings of the name: PEP 503 normalisation must find them all.
    name = project.upper() if i % 3 == 0 else project.replace("-", "_") if i % 3 == 1 else project
    marker = ' ; python_version >= "3"' if i % 5 == 0 else ""
    lines.append(f"{name}=={version}{marker}")
print("\n".join(lines))
