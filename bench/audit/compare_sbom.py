"""Compare two CycloneDX JSON bills: component counts and package URLs (qualifiers and
subpaths dropped, the name part compared as the purl spec normalises it), and validate both
against the CycloneDX JSON schema bundled in cyclonedx-python-lib.
Usage: compare_sbom.py LABEL PEER.json RIGOR.json [--ignore NAME ...]; exit 1 when they differ."""
import json
import sys

label, peer_path, rigor_path = sys.argv[1:4]
ignore = set(sys.argv[5:]) if len(sys.argv) > 4 and sys.argv[4] == "--ignore" else set()


def purls(path):
    doc = json.load(open(path))
    out = set()
    for c in doc.get("components", []):
        p = c.get("purl")
        if not p:
            continue
        p = p.split("#")[0].split("?")[0]
        head, _, version = p.rpartition("@")
        kind, _, name = head.partition("/")
        if kind == "pkg:pypi":
            name = name.lower().replace("_", "-").replace(".", "-")
        if name in ignore:
            continue
        out.add(f"{kind}/{name}@{version}")
    return doc, out


def valid(doc, text):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    err = JsonStrictValidator(SchemaVersion.from_version(doc["specVersion"])).validate_str(text)
    return "valid" if err is None else f"INVALID: {err}"


peer_doc, peer = purls(peer_path)
rigor_doc, rigor = purls(rigor_path)
print(f"{label}: components peer {len(peer_doc.get('components', []))}, rigor {len(rigor_doc.get('components', []))}; "
      f"purls peer {len(peer)}, rigor {len(rigor)}, equal {len(peer & rigor)}"
      + (f" (ignored: {', '.join(sorted(ignore))})" if ignore else ""))
for x in sorted(peer - rigor):
    print(f"  only peer:  {x}")
for x in sorted(rigor - peer):
    print(f"  only rigor: {x}")
print(f"  schema: peer {peer_doc['specVersion']} {valid(peer_doc, open(peer_path).read())}, "
      f"rigor {rigor_doc['specVersion']} {valid(rigor_doc, open(rigor_path).read())}")
same = peer == rigor
print(f"  purls {'EQUAL' if same else 'DIFFER'}")
sys.exit(0 if same else 1)
