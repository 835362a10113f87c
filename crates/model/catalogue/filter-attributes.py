#!/usr/bin/env python3
"""Regenerate filter-attributes.tsv from GuardDuty's service model (botocore service-2.json).

Usage: filter-attributes.py path/to/service-2.json > filter-attributes.tsv

The attribute list is the one CreateFilter documents for `findingCriteria`. Each attribute is
resolved against the `Finding` shape to its wire path (the model's locationName, which differs
from the documented attribute for e.g. hostIpc -> hostIPC) and its value kind:
  string | number | boolean | timestamp (criteria give epoch ms; findings hold ISO-8601 strings
  or, for members typed `timestamp`, epoch seconds) | dynamic (not in the model's Finding tree,
  e.g. keys inside service.additionalInfo.value, which is a JSON document held in a string;
  compared by the JSON type found at run time).
A path `a.b|c.d` means: read `a.b` as a string holding JSON, then follow `c.d` inside it.
"""
import json
import re
import sys

model = json.load(open(sys.argv[1]))
shapes = model["shapes"]
doc = shapes["CreateFilterRequest"]["members"]["FindingCriteria"]["documentation"]
items = re.findall(r"<li>\s*<p>([A-Za-z0-9_.]+)</p>(.*?)</li>", doc, re.S)


def member(shape, segment):
    members = shape["members"].items()
    for exact in (True, False):
        for name, m in members:
            wire = m.get("locationName", name)
            if wire == segment if exact else wire.lower() == segment.lower():
                return wire, shapes[m["shape"]]
    return None


def resolve(attribute):
    shape, wire = shapes["Finding"], []
    for segment in attribute.split("."):
        while shape["type"] == "list":
            shape = shapes[shape["member"]["shape"]]
        if shape["type"] != "structure":
            return None
        found = member(shape, segment)
        if found is None:
            return None
        wire.append(found[0])
        shape = found[1]
    while shape["type"] == "list":
        shape = shapes[shape["member"]["shape"]]
    return ".".join(wire), shape["type"]


KINDS = {"string": "string", "integer": "number", "long": "number", "double": "number",
         "float": "number", "boolean": "boolean", "timestamp": "timestamp"}
print("attribute\tkind\tpath")
for attribute, rest in items:
    if attribute[0].isupper():  # the severity band notes (Low, Medium, ...)
        continue
    is_time = "Timestamp in Unix Epoch millisecond" in rest
    resolved = resolve(attribute)
    if resolved is None:
        kind, path = "dynamic", attribute
        prefix = "service.additionalInfo."
        if attribute.startswith(prefix):
            path = "service.additionalInfo.value|" + attribute[len(prefix):]
    else:
        path, model_type = resolved
        kind = KINDS.get(model_type, "dynamic")
    if is_time:
        kind = "timestamp"
    print(f"{attribute}\t{kind}\t{path}")
