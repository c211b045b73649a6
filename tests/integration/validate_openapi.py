#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Validates JSON documents against a schema of docs/openapi.json (components.schemas.NAME, JSON
# Schema 2020-12 as OpenAPI 3.1 has it; Debian's python3-jsonschema).
# Usage: validate_openapi.py OPENAPI NAME FILE...   exit 1 naming the first file that fails.
import json
import sys

import jsonschema

doc = json.load(open(sys.argv[1]))
name = sys.argv[2]
if name not in doc["components"]["schemas"]:
    sys.exit(f"no schema {name} in {sys.argv[1]}")
schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[3:]:
    with open(path, encoding="utf-8") as f:
        try:
            value = json.load(f)
        except json.JSONDecodeError as e:
            sys.exit(f"{path}: not JSON: {e}")
    errors = list(validator.iter_errors(value))
    if errors:
        sys.exit(f"{path}: not a {name}: " + "; ".join(e.message for e in errors))
