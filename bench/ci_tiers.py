"""Print the per-tier lines of a `rigor ci --format json` document read from stdin."""
import json
import sys

d = json.load(sys.stdin)
for t in d["tiers"]:
    print("  tier %-14s %4d tests  %6.2fs  failed %d" % (t["name"], t["planned"], t["wall_s"], t["failed"]))
print("  stopped after tier: %s; status %s; wall %.2fs" % (d["stopped_at_tier"], d["status"], d["wall_s"]))
fails = [t["id"] for t in d["tests"] if t["outcome"] == "failed"]
if fails:
    print("  failed:", ", ".join(fails))
