"""Validate an SBOM with the official tooling: CycloneDX JSON against the schemas bundled in
cyclonedx-python-lib (strict JSON-schema validation), SPDX JSON with spdx-tools (parse + full
validation). Usage: validate_sbom.py cyclonedx|spdx FILE; exit 1 and the errors when invalid."""
import sys, json
kind, path = sys.argv[1], sys.argv[2]
text = open(path).read()
if kind == "cyclonedx":
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    ver = json.loads(text)["specVersion"]
    v = JsonStrictValidator(SchemaVersion.from_version(ver))
    err = v.validate_str(text)
    if err:
        print("INVALID", err); sys.exit(1)
    print("valid CycloneDX", ver)
else:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    doc = parse_file(path)
    msgs = validate_full_spdx_document(doc)
    if msgs:
        for m in msgs: print("INVALID", m.validation_message)
        sys.exit(1)
    print("valid SPDX", doc.creation_info.spdx_version)
