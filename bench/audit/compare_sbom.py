"""Compare two CycloneDX JSON bills: component counts and package URLs (qualifiers and
subpaths dropped, the name part compared as the purl spec normalises it, name and version
compared percent-decoded: `1.0+x` and `1.0%2Bx` are the same package; purls written
differently are listed), and validate both against the CycloneDX JSON schema bundled in
cyclonedx-python-lib.
Usage: compare_sbom.py LABEL PEER.json RIGOR.json [--ignore NAME ...]; exit 1 when they differ."""
import json
import sys
from urllib.parse import unquote

label, peer_path, rigor_path = sys.argv[1:4]
ignore = set(sys.argv[5:]) if len(sys.argv) > 4 and sys.argv[4] == "--ignore" else set()


def purls(path):
    doc = json.load(open(path))
    out = set()
    raw = {}
    for c in doc.get("components", []):
        p = c.get("purl")
        if not p:
            continue
        p = p.split("#")[0].split("?")[0]
        head, _, version = p.rpartition("@")
        kind, _, name = head.partition("/")
        if kind == "pkg:pypi":
            name = name.lower().replace("_", "-").replace(".", "-")
        if unquote(name) in ignore:
            continue
        key = f"{kind}/{unquote(name)}@{unquote(version)}"
        out.add(key)
        raw[key] = f"{kind}/{name}@{version}"
    return doc, out, raw


def valid(doc, text):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    err = JsonStrictValidator(SchemaVersion.from_version(doc["specVersion"])).validate_str(text)
    return "valid" if err is None else f"INVALID: {err}"


peer_doc, peer, peer_raw = purls(peer_path)
rigor_doc, rigor, rigor_raw = purls(rigor_path)
print(f"{label}: components peer {len(peer_doc.get('components', []))}, rigor {len(rigor_doc.get('components', []))}; "
      f"purls peer {len(peer)}, rigor {len(rigor)}, equal {len(peer & rigor)}"
      + (f" (ignored: {', '.join(sorted(ignore))})" if ignore else ""))
for x in sorted(peer - rigor):
    print(f"  only peer:  {x}")
for x in sorted(rigor - peer):
    print(f"  only rigor: {x}")
for x in sorted(peer & rigor):
    if peer_raw[x] != rigor_raw[x]:
        print(f"  same package, written differently: peer {peer_raw[x]}, rigor {rigor_raw[x]}")
peer_scope = {}
rigor_scope = {}
for doc, scope in ((peer_doc, peer_scope), (rigor_doc, rigor_scope)):
    for c in doc.get("components", []):
        if c.get("purl"):
            p = c["purl"].split("#")[0].split("?")[0]
            scope[unquote(p)] = c.get("scope", "required")
scope_diff = sorted(k for k in peer_scope if k in rigor_scope and peer_scope[k] != rigor_scope[k])
print(f"  scopes: {len(peer_scope) - len(scope_diff)} of {len(peer_scope)} equal"
      + "".join(f"\n    {k}: peer {peer_scope[k]}, rigor {rigor_scope[k]}" for k in scope_diff))
print(f"  schema: peer {peer_doc['specVersion']} {valid(peer_doc, open(peer_path).read())}, "
      f"rigor {rigor_doc['specVersion']} {valid(rigor_doc, open(rigor_path).read())}")
same = peer == rigor
print(f"  purls {'EQUAL' if same else 'DIFFER'}")
sys.exit(0 if same else 1)
