#!/usr/bin/env python3
"""Pins every kustomization under daemonset/ to a released agent image (make release runs it).

    scripts/pin-release.py REGISTRY/charon-node:VERSION@sha256:DIGEST [--root daemonset]

The workloads name the agent image `localhost/charon-node:latest` with `imagePullPolicy: Never`:
an image built or imported on each node, never pulled (a missing `localhost/` image would be
pulled over plain http from the node's own port 80, the internal ingress controller). The release
block goes where the containers are declared, so that every overlay renders pinned whichever
components it picks (and a component a user adds later comes pinned too):

  - each Component (kind Component, e.g. daemonset/components/ingress-nginx) gets one for the
    charon-node containers it adds itself: found by rendering, in a scratch folder under the root
    (removed after), what a kustomization that includes it lists under `resources` (else
    `base/`) with and without the component;
  - each Kustomization gets one for the charon-node containers its render still leaves
    unpinned, rendered after every kustomization it lists under `resources` has its block (so
    the base carries the agent's, and an overlay made of the base and components needs none).

One block, in kustomize's own terms:

  images:   localhost/charon-node -> REGISTRY/charon-node:VERSION@sha256:DIGEST
  patches:  imagePullPolicy IfNotPresent on exactly the containers that run it, each patch
            marked as the release's

No workload file is edited. Running it again with another release replaces the block; with
`--unpin` it removes it (back to the node-local image). The header comment of each
kustomization is kept; comments inside its body are not (keep them in the header).
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

LOCAL_IMAGE = "localhost/charon-node"
MARKER = "# make release: the pinned agent image is pulled from its registry"
SCRATCH_PREFIX = ".pin-release-"
REFERENCE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9._:/-]*/charon-node):(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127})@(?P<digest>sha256:[0-9a-f]{64})$")


def load(path):
    return yaml.safe_load(path.read_text()) or {}


def kustomizations(root):
    """Every kustomization.yaml under root (scratch folders excluded): (path, kind)."""
    for path in sorted(root.rglob("kustomization.yaml")):
        if any(part.startswith(SCRATCH_PREFIX) for part in path.relative_to(root).parts):
            continue
        yield path, load(path).get("kind", "Kustomization")


def local_folders(folder, entries, known):
    """The entries (resources or components) that are folders holding one of `known`."""
    found = []
    for entry in entries or []:
        if not isinstance(entry, str):
            continue
        target = (folder / entry).resolve() / "kustomization.yaml"
        if target in known:
            found.append(target)
    return found


def dependency_order(paths):
    """The Kustomizations, each after every local kustomization it lists under `resources`."""
    known = {path.resolve(): path for path in paths}
    ordered, seen = [], set()

    def visit(path, stack):
        resolved = path.resolve()
        if resolved in seen:
            return
        if resolved in stack:
            raise ValueError(f"{path}: resources form a cycle")
        for dependency in local_folders(path.parent, load(path).get("resources"), known):
            visit(known[dependency], stack | {resolved})
        seen.add(resolved)
        ordered.append(path)

    for path in paths:
        visit(path, frozenset())
    return ordered


def split_header(text):
    lines = text.splitlines(keepends=True)
    header = []
    for line in lines:
        if line.startswith("#") or not line.strip():
            header.append(line)
        else:
            break
    return "".join(header)


class Dumper(yaml.SafeDumper):
    """Multi-line strings (inline patches) as literal blocks, as people write them."""


Dumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
)


def write(path, document):
    header = split_header(path.read_text())
    body = yaml.dump(document, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=100)
    path.write_text(header + body)


def unpinned(document):
    document = dict(document)
    images = [image for image in document.get("images", []) if image.get("name") != LOCAL_IMAGE]
    patches = [patch for patch in document.get("patches", []) if MARKER not in patch.get("patch", "")]
    for key, value in (("images", images), ("patches", patches)):
        if value:
            document[key] = value
        else:
            document.pop(key, None)
    return document


def containers_running_the_agent(kubectl, folder):
    """(apiVersion, kind, namespace, name, field, container) for each container of the rendered
    kustomization whose image is the node-local agent image."""
    rendered = subprocess.run([kubectl, "kustomize", str(folder)], check=True, capture_output=True, text=True).stdout
    found = []
    for item in yaml.safe_load_all(rendered):
        if not item:
            continue
        template = (item.get("spec") or {}).get("template") or {}
        pod = template.get("spec") or {}
        for field in ("initContainers", "containers"):
            for container in pod.get(field) or []:
                if container.get("image", "").split(":")[0].split("@")[0] == LOCAL_IMAGE:
                    metadata = item.get("metadata") or {}
                    found.append((item["apiVersion"], item["kind"], metadata.get("namespace"), metadata["name"], field, container["name"]))
    return found


def containers_a_component_adds(kubectl, root, component, kustomization_paths):
    """The agent-image containers that `component` adds to what it is included in: rendered in a
    scratch kustomization under root (kustomize loads folders by relative path only) from the
    resources of a kustomization that includes it (else root/base), with and without it."""
    known = {path.resolve() for path in kustomization_paths}
    resources = None
    for path in kustomization_paths:
        document = load(path)
        if component.resolve() in local_folders(path.parent, document.get("components"), {component.resolve()}):
            resources = [(path.parent / entry).resolve() for entry in document.get("resources") or [] if isinstance(entry, str)]
            break
    if resources is None:
        if (root / "base" / "kustomization.yaml").resolve() not in known:
            raise ValueError(f"{component}: no kustomization includes it and there is no {root}/base")
        resources = [(root / "base").resolve()]
    scratch = pathlib.Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=root))
    try:
        relative = [os.path.relpath(resource, scratch) for resource in resources]
        rendered = {}
        for name, components in (("without", []), ("with", [os.path.relpath(component.parent.resolve(), scratch)])):
            document = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": relative}
            if components:
                document["components"] = components
            (scratch / "kustomization.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
            rendered[name] = containers_running_the_agent(kubectl, scratch)
        return [target for target in rendered["with"] if target not in rendered["without"]]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def pin(path, document, targets, match):
    grouped = {}
    for api_version, kind, namespace, name, field, container in targets:
        grouped.setdefault((api_version, kind, namespace, name, field), []).append(container)
    document["images"] = document.get("images", []) + [
        {"name": LOCAL_IMAGE, "newName": match["name"], "newTag": match["tag"], "digest": match["digest"]}
    ]
    document["patches"] = document.get("patches", []) + [release_patch(*key, containers) for key, containers in grouped.items()]
    write(path, document)


def release_patch(api_version, kind, namespace, name, field, containers):
    metadata = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    patch = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": metadata,
        "spec": {"template": {"spec": {field: [{"name": c, "imagePullPolicy": "IfNotPresent"} for c in containers]}}},
    }
    return {"patch": MARKER + "\n" + yaml.safe_dump(patch, sort_keys=False, default_flow_style=False)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", help="REGISTRY/charon-node:VERSION@sha256:DIGEST")
    parser.add_argument("--root", default="daemonset", type=pathlib.Path, help="folder holding the kustomizations")
    parser.add_argument("--kubectl", default="kubectl", help="kubectl with kustomize v5")
    parser.add_argument("--unpin", action="store_true", help="remove the release block instead")
    arguments = parser.parse_args()
    match = REFERENCE.match(arguments.image or "")
    if not arguments.unpin and not match:
        print(f"pin-release: '{arguments.image}' is not REGISTRY/PATH/charon-node:VERSION@sha256:<64 hex>", file=sys.stderr)
        return 2

    found = list(kustomizations(arguments.root))
    paths = [path for path, _ in found]
    if not paths:
        print(f"pin-release: no kustomization.yaml under {arguments.root}", file=sys.stderr)
        return 1
    components = [path for path, kind in found if kind == "Component"]
    plain = [path for path, kind in found if kind == "Kustomization"]
    originals = {path: path.read_text() for path in paths}
    try:
        # Every release block out first, so each render sees the workloads as they are.
        documents = {path: unpinned(load(path)) for path in paths}
        for path, document in documents.items():
            write(path, document)
        if arguments.unpin:
            for path in paths:
                print(f"unpinned {path}")
            return 0
        # Components first, each against the unpinned resources it is included with.
        for path in components:
            targets = containers_a_component_adds(arguments.kubectl, arguments.root, path, plain)
            if targets:
                pin(path, documents[path], targets, match)
                print(f"pinned {path}: {len(targets)} containers -> {arguments.image}")
        # Then each Kustomization after the ones it builds on: what is left unpinned is its own.
        for path in dependency_order(plain):
            targets = containers_running_the_agent(arguments.kubectl, path.parent)
            if targets:
                pin(path, documents[path], targets, match)
                print(f"pinned {path}: {len(targets)} containers -> {arguments.image}")
    except (subprocess.CalledProcessError, OSError, ValueError, yaml.YAMLError) as error:
        # Nothing half-written: every kustomization goes back to what it was.
        for path, text in originals.items():
            path.write_text(text)
        detail = error.stderr.strip() if isinstance(error, subprocess.CalledProcessError) else str(error)
        print(f"pin-release: {detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
