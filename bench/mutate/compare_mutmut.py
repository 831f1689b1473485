"""Compare rigor mutate's verdicts with mutmut 3's on comparable mutants.

Comparable mutants: same file, same line, same operator kind (rigor's kinds; mutmut's mutants
are classified by the tokens their diff changes). A (file, line, kind) key counts as killed for
a tool when every one of its mutants there is killed (timeouts count as killed; "no tests"
counts as survived, as in both tools' scores). Agreement = keys with the same verdict / keys
both tools have.

usage: compare_mutmut.py RIGOR_JSON MUTMUT_PROJECT_DIR
"""
import ast
import difflib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

TOKEN = re.compile(r"""[A-Za-z_]\w*|\d[\w.]*|"[^"]*"|'[^']*'|\*\*|//|<<|>>|<=|>=|==|!=|\S""")
COMPARISON = {"<", "<=", ">", ">=", "==", "!="}
ARITHMETIC = {"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^"}
MUTMUT_KILLED = {1: True, 3: True, 36: True, -24: True, 24: True, 152: True, 255: True,
                 0: False, 5: False, 33: False}


def kind_of(orig, mut):
    """rigor's operator kind for a one-line change, or None when rigor has no such kind."""
    a, b = TOKEN.findall(orig), TOKEN.findall(mut)
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if len(ops) != 1:
        return None
    tag, i1, i2, j1, j2 = ops[0]
    old, new = a[i1:i2], b[j1:j2]
    before = a[i1 - 1] if i1 > 0 else ""
    after = a[i2] if i2 < len(a) else ""
    if tag == "replace" and len(old) == 1 and len(new) == 1:
        o, n = old[0], new[0]
        if o in COMPARISON and n in COMPARISON:
            return "comparison"
        if o in ARITHMETIC and n in ARITHMETIC:
            return "arithmetic"
        if {o, n} <= {"and", "or"}:
            return "boolean"
        if {o, n} <= {"True", "False"}:
            return "constant"
        if o[0].isdigit() and n[0].isdigit():
            return "constant"
        if o[0] in "\"'" and n[0] in "\"'":
            return "constant"
    if tag == "insert" and new == ["not"] and (before == "is" or after == "in"):
        return "comparison"
    if tag == "delete" and old == ["not"] and (before == "is" or after == "in"):
        return "comparison"
    if tag == "delete" and old in (["not"], ["-"], ["~"]):
        return "unary"
    if new == ["None"] and orig.lstrip().startswith("return") and a[:1] == ["return"] and i1 == 1:
        return "return_value"
    return None


def original_defs(source):
    """(class or '', function name) -> line of `def` in the original file."""
    out = {}
    tree = ast.parse(source)

    def walk(node, cls):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.setdefault((cls, child.name), child.lineno)
            elif isinstance(child, ast.ClassDef):
                walk(child, child.name)

    walk(tree, "")
    return out


def mutmut_mutants(project):
    project = Path(project)
    out = []
    for meta_path in sorted((project / "mutants").rglob("*.py.meta")):
        rel = meta_path.relative_to(project / "mutants").as_posix()[: -len(".meta")]
        spans_path = meta_path.with_name(meta_path.name[: -len(".meta")] + ".spans")
        if not spans_path.exists():
            continue
        meta = json.loads(meta_path.read_text())
        spans = json.loads(spans_path.read_text())["spans"]
        mutated = (project / "mutants" / rel).read_text().splitlines()
        defs = original_defs((project / rel).read_text())
        for key, code in meta["exit_code_by_key"].items():
            fname = key.rsplit(".", 1)[-1]
            base = fname.rsplit("__mutmut_", 1)[0]
            if fname not in spans or base + "__mutmut_orig" not in spans:
                continue
            a0, a1 = spans[base + "__mutmut_orig"]
            m0, m1 = spans[fname]
            orig_lines, mut_lines = mutated[a0 - 1 : a1], mutated[m0 - 1 : m1]
            if len(orig_lines) != len(mut_lines):
                continue
            orig_name = base + "__mutmut_orig"
            def_idx = next((k for k, x in enumerate(orig_lines) if orig_name + "(" in x), None)
            if def_idx is None:
                continue
            mut_lines = [y.replace(fname + "(", orig_name + "(") for y in mut_lines]
            changed = [k for k, (x, y) in enumerate(zip(orig_lines, mut_lines)) if x != y]
            if len(changed) != 1:
                continue
            i = changed[0] - def_idx
            parts = base[1:].split("\u01c1")
            cls, name = (parts[1], parts[2]) if len(parts) == 3 else ("", base[2:])
            line = defs.get((cls, name))
            if line is None or code not in MUTMUT_KILLED:
                continue
            kind = kind_of(orig_lines[changed[0]], mut_lines[changed[0]])
            out.append((rel, line + i, kind, MUTMUT_KILLED[code]))
    return out


def main():
    rigor = json.load(open(sys.argv[1]))
    ours = defaultdict(list)
    for m in rigor["mutants"]:
        if m["verdict"] == "unviable" or m["line"] != m["end_line"]:
            continue
        ours[(m["file"], m["line"], m["operator"])].append(m["verdict"] in ("killed", "timeout"))
    theirs = defaultdict(list)
    all_theirs = mutmut_mutants(sys.argv[2])
    for file, line, kind, killed in all_theirs:
        if kind:
            theirs[(file, line, kind)].append(killed)
    keys = sorted(set(ours) & set(theirs))
    agree = [k for k in keys if all(ours[k]) == all(theirs[k])]
    disagree = [
        {"file": k[0], "line": k[1], "kind": k[2], "rigor_killed": all(ours[k]), "mutmut_killed": all(theirs[k])}
        for k in keys
        if all(ours[k]) != all(theirs[k])
    ]
    result = {
        "rigor_mutants": sum(len(v) for v in ours.values()),
        "mutmut_mutants": len(all_theirs),
        "comparable_keys": len(keys),
        "agreeing_keys": len(agree),
        "agreement_pct": round(100.0 * len(agree) / len(keys), 1) if keys else None,
        "disagreements": disagree,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
