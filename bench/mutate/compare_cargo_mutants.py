"""Compare rigor mutate's verdicts (rigor.mutate/1 JSON) with cargo-mutants' outcomes.json.

Comparable mutants: binary and unary operator mutants at the same file, line and column with
the same replacement; return-value mutants of the same function (last path segment, the line
of the body's first statement) with the same value. Verdicts compare as detected (killed,
timeout) or not (survived, no coverage / missed); unviable on either side is left out.
Prints JSON: counts, agreement and the disagreements.
"""
import json
import sys


def rigor_keys(path):
    out = {}
    for m in json.load(open(path))["mutants"]:
        v = m["verdict"]
        if v == "unviable":
            continue
        detected = v in ("killed", "timeout")
        if m["operator"] == "return_value":
            body = m["original"]
            lead = body[: len(body) - len(body.lstrip())]
            line = m["line"] + lead.count("\n")
            name = m["function"].split("::")[-1]
            key = ("fn", m["file"], line, name, m["replacement"].strip())
        elif m["operator"] in ("comparison", "arithmetic", "boolean", "unary"):
            key = ("op", m["file"], m["line"], m["column"], m["replacement"].strip())
        else:
            continue
        out[key] = detected
    return out


def cm_keys(path):
    out, total, caught, missed = {}, 0, 0, 0
    for o in json.load(open(path))["outcomes"]:
        sc = o["scenario"]
        if not isinstance(sc, dict) or "Mutant" not in sc:
            continue
        total += 1
        m = sc["Mutant"]
        summary = o["summary"]
        if summary == "Unviable":
            continue
        detected = summary in ("CaughtMutant", "Timeout")
        caught += detected
        missed += not detected
        start = m["span"]["start"]
        repl = (m.get("replacement") or "").strip()
        if m["genre"] == "FnValue":
            name = m["function"]["function_name"].split("::")[-1]
            key = ("fn", m["file"], start["line"], name, repl)
        elif m["genre"] in ("BinaryOperator", "UnaryOperator"):
            key = ("op", m["file"], start["line"], start["column"], repl)
        else:
            continue
        out[key] = detected
    return out, total, caught, missed


def main():
    r = rigor_keys(sys.argv[1])
    c, total, caught, missed = cm_keys(sys.argv[2])
    both = sorted(set(r) & set(c))
    agree = [k for k in both if r[k] == c[k]]
    differ = [
        {"key": list(k), "rigor": "killed" if r[k] else "survived",
         "cargo_mutants": "caught" if c[k] else "missed"}
        for k in both if r[k] != c[k]
    ]
    print(json.dumps({
        "cm_mutants": total,
        "cm_score": round(100.0 * caught / max(1, caught + missed), 1),
        "comparable": len(both),
        "agreeing": len(agree),
        "agreement_pct": round(100.0 * len(agree) / max(1, len(both)), 1),
        "disagreements": differ,
    }, indent=1))


if __name__ == "__main__":
    main()
