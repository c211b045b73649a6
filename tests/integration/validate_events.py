#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Validates every line of the given files against docs/events.schema.json (JSON Schema 2020-12,
# Debian's python3-jsonschema) and prints the event names seen, one per line, sorted.
# Usage: validate_events.py SCHEMA FILE...   exit 1 on the first line that does not validate.
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
seen = set()
for path in sys.argv[2:]:
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            event = json.loads(line)
        except json.JSONDecodeError as e:
            sys.exit(f"{path}:{number}: not JSON: {e}: {line!r}")
        errors = sorted(validator.iter_errors(event), key=lambda e: e.path)
        if errors:
            # oneOf failures are vague; validate against the branch the event names instead.
            branch = next((b for b in schema["oneOf"]
                           if b["properties"]["event"].get("const") == event.get("event")), None)
            detail = "unknown event"
            if branch is not None:
                sub = dict(branch, **{"$defs": schema["$defs"]})
                detail = "; ".join(e.message for e in
                                   jsonschema.Draft202012Validator(sub).iter_errors(event))
            sys.exit(f"{path}:{number}: {event.get('event')}: {detail}: {line.strip()}")
        seen.add(event["event"])
print("\n".join(sorted(seen)))
