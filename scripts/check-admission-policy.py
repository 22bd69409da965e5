#!/usr/bin/env python3
"""Evaluates the agent's ValidatingAdmissionPolicy against admission requests, as an API server would.

    scripts/check-admission-policy.py [--policy daemonset/components/admission-policy/admission-policy.yaml] [--fixtures Tests/policy]

The policy `charon-node-own-node-status` is read from the manifest, never copied. Each fixture in
Tests/policy/*.yaml (all but node.yaml) is one admission request for nodes/status and the verdict
it must get. The script evaluates what the API server evaluates for it, in the same order, with
cel-python (import name `celpy`, pinned in scripts/install-tools.sh):
  1. matchConstraints: operation, group, version and resource/subresource against resourceRules;
  2. matchConditions: all must be true for the policy to apply. If one is false, the request is
     not the policy's business and is allowed (the fixture can say `matched: false`);
  3. variables: lazily, each once, and only when an expression reads it;
  4. every validation. A false one denies with its message. An evaluation error denies too, since
     failurePolicy is Fail. The fixture lists the messages of every validation that failed, in the
     policy's order. The API server reports only the first of them.
It prints one line per fixture and last `N passed, M failed`, and exits 1 on any mismatch (2 when
the policy or a fixture cannot be read).

A fixture:
    description: the agent adds a Charon condition on its own Node
    request:               # the admission request; operation, kind, resource, subResource
      userInfo: {...}      # and name default to an UPDATE of nodes/status of `object`
    fieldManager: charon-node   # default; see "bookkeeping" below
    oldObjectEdits: [...]  # optional JSON-patch edits of node.yaml, giving `oldObject`
    edits: [...]           # JSON-patch edits of `oldObject`, giving `object`
    expect: {allowed: true}            # or {allowed: true, matched: false}
                                       # or {allowed: false, messages: [...]}
Edits are RFC 6902 operations (add, replace, remove) whose paths may pick a list element by a
field: /status/conditions/[type=Ready]/status.

Bookkeeping: before admission the API server records the patch in metadata.managedFields (its
field manager gets a new time stamp). The script does the same whenever `object` differs from
`oldObject`, so every allowed fixture also shows the policy ignores that. It does NOT apply the
other steps that run before admission (the status strategy putting back the stored spec,
BeforeUpdate copying generation, uid and creationTimestamp), so that fixtures can test the
policy's own checks of those fields.

What this cannot show, and an API server would:
  - Type checking. cel-python parses, then evaluates dynamically. When the policy is created, an
    API server also type-checks each expression against the Node schema and reports problems
    (a misspelt field, a string compared with a number) in the policy's status.typeChecking.
    Those are warnings only: admission runs the expressions with `object` and `oldObject`
    declared dyn. The policy's dyn() variables hide the schema from that check too. So a
    misspelt field name is caught by the fixtures here, whose verdicts change when an expression
    reads a key the Node does not have, or by neither.
  - The real merged object. The fixtures state `object` directly, as edits of `oldObject`. Neither
    what a strategic-merge patch really yields (merge by `type`, `$patch: delete`, the status
    strategy's spec reset) nor defaulting nor any mutating admission that runs before the policy
    is reproduced.
  - managedFields bookkeeping beyond the time stamp above, and what the API server does with
    managedFields that a client sends.
  - Cost limits. The per-expression and per-policy CEL cost budgets are neither computed nor
    enforced.
  - Kubernetes' CEL libraries (quantity(), isSorted(), url(), ip(), cidr(), authorizer, format,
    the ext strings and sets functions and the rest). cel-python has only standard CEL. The
    policy uses none of them: only has(), in, all, exists, filter, startsWith, dyn and ==. An
    expression that used one would fail here as an evaluation error.
  - Differences between cel-go and cel-python. cel-go's heterogeneous equality makes `'a' == 1`
    false, where cel-python raises an error and this script counts a denial. The fixtures never
    change a field's type. cel-go compares x-kubernetes-list-type map/set lists regardless of
    order, but only in CRD validation rules, where values carry their schema. Admission passes a
    built-in object such as a Node as plain JSON, compared in order, as here.
"""

from __future__ import annotations

import argparse
import copy
import pathlib
import re
import sys
from typing import Any

try:
    import celpy
    import yaml
    from celpy import celtypes
    from celpy.evaluation import CELEvalError
except ImportError as missing:  # run it with the tools venv's python
    sys.exit(f"check-admission-policy: {missing}; run scripts/install-tools.sh python, then .build/tools/venv/bin/python {sys.argv[0]}")

ROOT = pathlib.Path(__file__).resolve().parent.parent
POLICY_NAME = "charon-node-own-node-status"
BASE_NODE = "node.yaml"
BOOKKEEPING_TIME = "2026-11-25T12:40:03Z"


class FixtureError(Exception):
    pass


# --- the policy ----------------------------------------------------------------------------------


def load_policy(path: pathlib.Path) -> dict:
    with path.open() as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc.get("kind") == "ValidatingAdmissionPolicy" and doc["metadata"]["name"] == POLICY_NAME:
                return doc["spec"]
    raise FixtureError(f"{path}: no ValidatingAdmissionPolicy {POLICY_NAME}")


class Policy:
    """The policy's expressions, parsed once."""

    def __init__(self, spec: dict) -> None:
        self.env = celpy.Environment()
        self.failure_policy = spec.get("failurePolicy", "Fail")
        self.rules = spec.get("matchConstraints", {}).get("resourceRules", [])
        self.match_conditions = [(c["name"], self.compile(c["expression"])) for c in spec.get("matchConditions", [])]
        self.variables = [(v["name"], self.compile(v["expression"])) for v in spec.get("variables", [])]
        self.validations = [
            (v.get("message") or f"failed expression: {v['expression'].strip()}", self.compile(v["expression"]))
            for v in spec.get("validations", [])
        ]
        if not self.validations:
            raise FixtureError("the policy has no validations")

    def compile(self, expression: str) -> Any:
        try:
            return self.env.program(self.env.compile(expression))
        except Exception as error:  # celpy.CELParseError and lark errors
            raise FixtureError(f"cannot parse {expression!r}: {error}") from error

    def matches_rules(self, request: dict) -> bool:
        resource = request["resource"]
        name = resource["resource"] + (f"/{request['subResource']}" if request.get("subResource") else "")
        for rule in self.rules:
            if (
                _listed(request["operation"], rule.get("operations", []))
                and _listed(resource["group"], rule.get("apiGroups", []))
                and _listed(resource["version"], rule.get("apiVersions", []))
                and _listed(name, rule.get("resources", []))
            ):
                return True
        return False

    def evaluate(self, request: dict, obj: Any, old: Any) -> tuple[bool, bool, list[str]]:
        """(matched, allowed, messages of the failed validations)."""
        if not self.matches_rules(request):
            return False, True, []
        base = {
            "request": celpy.json_to_cel(request),
            "object": celpy.json_to_cel(obj),
            "oldObject": celpy.json_to_cel(old),
        }
        errors = []
        for name, program in self.match_conditions:
            result = _run(program, base)
            if result is False:
                return False, True, []
            if result is not True:
                errors.append(f"matchCondition {name}: {result}")
        if errors:
            # Kubernetes: an error with no false condition falls to the failure policy.
            return True, self.failure_policy != "Fail", errors

        names = [name for name, _ in self.variables]
        programs = dict(self.variables)

        def compute(name: str, view: LazyVariables) -> Any:
            return _run(programs[name], {**base, "variables": view.before(name)}, raw=True)

        variables = LazyVariables(names, compute)
        activation = {**base, "variables": variables}
        messages = []
        for message, program in self.validations:
            result = _run(program, activation)
            if result is True:
                continue
            if result is False:
                messages.append(message)
            else:  # an evaluation error: failurePolicy decides
                if self.failure_policy == "Fail":
                    messages.append(f"{message} [evaluation error: {result}]")
        return True, not messages, messages


class LazyVariables(celtypes.MapType):
    """`variables`: each computed on first use, seeing only the variables declared before it."""

    def __init__(self, names: list[str], compute: Any, cache: dict | None = None) -> None:
        super().__init__({})
        self._names = names
        self._compute = compute
        self._cache = {} if cache is None else cache

    def before(self, name: str) -> LazyVariables:
        return LazyVariables(self._names[: self._names.index(name)], self._compute, self._cache)

    def __contains__(self, key: object) -> bool:
        return str(key) in self._names

    def __getitem__(self, key: Any) -> Any:
        key = str(key)
        if key not in self._names:
            raise KeyError(key)
        if key not in self._cache:
            self._cache[key] = self._compute(key, self)
        return self._cache[key]


def _run(program: Any, activation: dict, raw: bool = False) -> Any:
    """True or False; for anything else (an error, a non-bool) its description. raw: the value."""
    try:
        value = program.evaluate(activation)
    except CELEvalError as error:
        value = error
    except Exception as error:  # a bug in cel-python is an error too, not a pass
        value = CELEvalError(f"{type(error).__name__}: {error}", type(error), None)
    if raw:
        return value
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, CELEvalError):
        return f"{value.args[0] if value.args else value}"
    return f"not a bool: {value!r}"


def _listed(value: str, allowed: list[str]) -> bool:
    return "*" in allowed or value in allowed


# --- fixtures ------------------------------------------------------------------------------------


def _check_json(value: Any, where: str) -> None:
    """YAML turns unquoted dates into datetime objects; the API server's JSON has strings."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise FixtureError(f"{where}: key {key!r} is not a string")
            _check_json(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]")
    elif value is not None and not isinstance(value, (str, bool, int, float)):
        raise FixtureError(f"{where}: {type(value).__name__} {value!r} is not JSON (quote it)")


def _resolve(document: Any, path: str) -> tuple[Any, Any]:
    """(container, key) for an RFC 6901 path whose segments may be [field=value] in a list."""
    if not path.startswith("/"):
        raise FixtureError(f"path {path!r} does not start with /")
    segments = [s.replace("~1", "/").replace("~0", "~") for s in path[1:].split("/")]
    container = document
    for depth, segment in enumerate(segments):
        if isinstance(container, list):
            selector = re.fullmatch(r"\[([^=\]]+)=([^\]]*)\]", segment)
            if selector:
                field, wanted = selector.groups()
                found = [i for i, item in enumerate(container) if isinstance(item, dict) and str(item.get(field)) == wanted]
                if len(found) != 1:
                    raise FixtureError(f"path {path!r}: {len(found)} elements match {segment}")
                key: Any = found[0]
            elif segment == "-":
                key = len(container)
            elif segment.isdigit():
                key = int(segment)
            else:
                raise FixtureError(f"path {path!r}: {segment!r} is no list index")
        elif isinstance(container, dict):
            key = segment
        else:
            raise FixtureError(f"path {path!r}: cannot go into {type(container).__name__}")
        if depth == len(segments) - 1:
            return container, key
        try:
            container = container[key]
        except (KeyError, IndexError) as error:
            raise FixtureError(f"path {path!r}: no {segment!r}") from error
    raise FixtureError(f"path {path!r} is empty")


def apply_edits(document: Any, edits: list[dict]) -> Any:
    document = copy.deepcopy(document)
    for edit in edits or []:
        op, path = edit.get("op"), edit.get("path", "")
        container, key = _resolve(document, path)
        if op in ("add", "replace"):
            if "value" not in edit:
                raise FixtureError(f"{op} {path}: no value")
            value = copy.deepcopy(edit["value"])
            if op == "replace" and (key not in container if isinstance(container, dict) else key >= len(container)):
                raise FixtureError(f"replace {path}: nothing there")
            if isinstance(container, list) and op == "add":
                container.insert(key, value)
            else:
                container[key] = value
        elif op == "remove":
            try:
                del container[key]
            except (KeyError, IndexError) as error:
                raise FixtureError(f"remove {path}: nothing there") from error
        else:
            raise FixtureError(f"unknown op {op!r} (add, replace, remove)")
    return document


def record_field_manager(obj: dict, manager: str) -> None:
    """What the API server's field manager does to an update before admission (simplified)."""
    entries = obj.setdefault("metadata", {}).setdefault("managedFields", [])
    for entry in entries:
        if entry.get("manager") == manager and entry.get("subresource") == "status":
            entry["time"] = BOOKKEEPING_TIME
            return
    entries.append(
        {
            "manager": manager,
            "operation": "Update",
            "apiVersion": "v1",
            "time": BOOKKEEPING_TIME,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {"f:conditions": {}}},
            "subresource": "status",
        }
    )


def build_case(fixture: dict, base_node: dict) -> tuple[dict, Any, Any]:
    old = apply_edits(base_node, fixture.get("oldObjectEdits"))
    obj = apply_edits(old, fixture.get("edits"))
    if obj != old:
        record_field_manager(obj, fixture.get("fieldManager", "charon-node"))
    given = fixture.get("request") or {}
    if "userInfo" not in given:
        raise FixtureError("request.userInfo is missing")
    request = {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind": {"group": "", "version": "v1", "kind": "Node"},
        "resource": {"group": "", "version": "v1", "resource": "nodes"},
        "subResource": "status",
        "requestKind": {"group": "", "version": "v1", "kind": "Node"},
        "requestResource": {"group": "", "version": "v1", "resource": "nodes"},
        "requestSubResource": "status",
        "name": obj["metadata"]["name"],
        "operation": "UPDATE",
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"},
        "dryRun": False,
    }
    request.update(given)
    return request, obj, old


def expected(fixture: dict) -> tuple[bool, bool, list[str]]:
    expect = fixture.get("expect")
    if not isinstance(expect, dict) or not isinstance(expect.get("allowed"), bool):
        raise FixtureError("expect.allowed (true or false) is missing")
    messages = expect.get("messages", [])
    if expect["allowed"] == bool(messages):
        raise FixtureError("expect: a denial lists its messages, an allowance none")
    return expect.get("matched", True), expect["allowed"], messages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", type=pathlib.Path, default=ROOT / "daemonset/components/admission-policy/admission-policy.yaml")
    parser.add_argument("--fixtures", type=pathlib.Path, default=ROOT / "Tests/policy")
    args = parser.parse_args()

    try:
        policy = Policy(load_policy(args.policy))
        base_node = yaml.safe_load((args.fixtures / BASE_NODE).read_text())
        _check_json(base_node, BASE_NODE)
    except (OSError, yaml.YAMLError, FixtureError, KeyError) as error:
        print(f"check-admission-policy: {error}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 2
    paths = sorted(p for p in args.fixtures.glob("*.yaml") if p.name != BASE_NODE)
    if not paths:
        print(f"check-admission-policy: no fixtures in {args.fixtures}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 2

    passed = failed = 0
    for path in paths:
        name = path.stem
        try:
            fixture = yaml.safe_load(path.read_text())
            _check_json(fixture, name)
            want_matched, want_allowed, want_messages = expected(fixture)
            request, obj, old = build_case(fixture, base_node)
            matched, allowed, messages = policy.evaluate(request, obj, old)
        except (yaml.YAMLError, FixtureError) as error:
            failed += 1
            print(f"FAIL {name}: bad fixture: {error}")
            continue
        got = "allowed" if allowed else "denied: " + "; ".join(messages)
        if not matched:
            got += " (policy does not apply)"
        if (matched, allowed, messages) == (want_matched, want_allowed, want_messages):
            passed += 1
            print(f"ok   {name}: {got}")
        else:
            failed += 1
            want = "allowed" if want_allowed else "denied: " + "; ".join(want_messages)
            if not want_matched:
                want += " (policy does not apply)"
            print(f"FAIL {name}: expected {want}; got {got}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
