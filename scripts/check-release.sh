#!/usr/bin/env bash
# The release, tried for real (run by `make test`): a CNCF distribution registry (Debian's
# docker-registry) on loopback, `make release` against it with the kustomizations copied to a
# scratch folder, then what a cluster would do with the result:
#   - `kubectl kustomize` of every kustomization (the base, each overlay, and each component on the
#     base, so that one an overlay leaves commented out is checked too) renders each charon-node
#     container as REGISTRY/charon-node:VERSION@<pushed digest> with IfNotPresent, no
#     localhost/charon-node left, and every other localhost/ image with imagePullPolicy Never;
#   - the private containerd pulls the image by that digest and runs `charon-node --version` and
#     `charon-lifecycle --version` from it: both print VERSION;
#   - the SBOM of the pushed image is valid SPDX (pyspdxtools) and names both executables at VERSION,
#     and libarchive-dev and libyaml-dev (Debian packages, with purls) as STATIC_LINKed into
#     charon-node: release builds link their archives, which leave no file in the image.
#
#   scripts/check-release.sh CONTAINERD_SOCKET
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
socket=${1:?containerd socket}
version=9.8.7
kubectl=.build/tools/bin/kubectl
scratch=$(mktemp -d "${TMPDIR:-/tmp}/charon-release-XXXXXX")
registry_pid=
cleanup() {
  [[ -n $registry_pid ]] && kill "$registry_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() {
  echo "check-release: FAILED: $*" >&2
  exit 1
}

scripts/install-tools.sh all
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$scratch/registry.yml" <<CONFIG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $scratch/registry
http:
  addr: 127.0.0.1:$port
CONFIG
docker-registry serve "$scratch/registry.yml" >"$scratch/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  kill -0 "$registry_pid" 2>/dev/null || fail "docker-registry did not start: $(tail -5 "$scratch/registry.log")"
  sleep 0.1
done
registry=127.0.0.1:$port/charon

cp -r daemonset "$scratch/daemonset"
echo "check-release: make release REGISTRY=$registry VERSION=$version REGISTRY_INSECURE=1"
make --no-print-directory release REGISTRY="$registry" VERSION="$version" REGISTRY_INSECURE=1 PIN_DIR="$scratch/daemonset" | tee "$scratch/release.log"
line=$(tail -1 "$scratch/release.log")
[[ $line =~ ^released\ ($registry/charon-node:$version@(sha256:[0-9a-f]{64}))$ ]] || fail "last line is not 'released <reference>@<digest>': $line"
pinned=${BASH_REMATCH[1]}
digest=${BASH_REMATCH[2]}

# What the registry serves under the tag is what was pinned.
served=$(curl -fsS -o /dev/null -w '%header{docker-content-digest}' \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/charon/charon-node/manifests/$version")
[[ $served == "$digest" ]] || fail "the registry serves $served for :$version, pinned $digest"

# What to render: every Kustomization as released, and each Component on the base in a scratch
# overlay of its own (a Component cannot be rendered alone; kustomize takes relative folders only).
folders=()
while IFS= read -r kustomization; do
  folder=$(dirname "$kustomization")
  if grep -q '^kind: Component' "$kustomization"; then
    name=$(basename "$folder")
    overlay=$scratch/daemonset/overlays/check-release-$name
    mkdir -p "$overlay"
    printf 'resources:\n- ../../base\ncomponents:\n- ../../components/%s\n' "$name" >"$overlay/kustomization.yaml"
    folders+=("$overlay")
  else
    folders+=("$folder")
  fi
done < <(find "$scratch/daemonset" -name kustomization.yaml | sort)
count=0
for folder in "${folders[@]}"; do
  "$kubectl" kustomize "$folder" >"$scratch/rendered.yaml" || fail "kubectl kustomize $folder"
  .build/tools/venv/bin/python - "$folder" "$pinned" "$scratch/rendered.yaml" <<'PYTHON' || fail "$folder renders the wrong images"
import sys, yaml
folder, pinned, rendered = sys.argv[1], sys.argv[2], sys.argv[3]
agent = 0
problems = []
for item in yaml.safe_load_all(open(rendered)):
    pod = ((item or {}).get("spec") or {}).get("template", {}).get("spec") or {}
    for container in (pod.get("initContainers") or []) + (pod.get("containers") or []):
        image, policy = container["image"], container.get("imagePullPolicy")
        where = f'{item["kind"]} {item["metadata"]["name"]} {container["name"]}'
        if "charon-node" in image.split("/")[-1]:
            agent += 1
            if image != pinned or policy != "IfNotPresent":
                problems.append(f"{where}: {image} ({policy})")
        elif image.startswith("localhost/") and policy != "Never":
            problems.append(f"{where}: {image} is node-local but {policy}")
if agent == 0:
    problems.append("no charon-node container")
for problem in problems:
    print(f"check-release: {folder}: {problem}", file=sys.stderr)
print(f"check-release: {folder}: {agent} charon-node containers run {pinned}")
sys.exit(1 if problems else 0)
PYTHON
  ! grep -q 'localhost/charon-node' "$scratch/rendered.yaml" || fail "$folder still renders localhost/charon-node"
  count=$((count + 1))
done
((count >= 8)) || fail "expected the base, both overlays and the five components on the base, rendered $count"

echo "check-release: containerd pulls $pinned by digest and runs it"
ctr=(ctr --address "$socket" --namespace charon-release)
"${ctr[@]}" images pull --plain-http "$registry/charon-node@$digest" >/dev/null
for executable in charon-node charon-lifecycle; do
  printed=$("${ctr[@]}" run --rm --net-host "$registry/charon-node@$digest" "release-$$-$executable" "/usr/local/bin/$executable" --version)
  [[ $printed == "$version" ]] || fail "$executable --version in the pulled image printed '$printed', not $version"
  echo "check-release: $executable --version in the pulled image: $printed"
done
"${ctr[@]}" images rm "$registry/charon-node@$digest" >/dev/null || true

sbom=.build/release-images/charon-node-$version.tar.spdx.json
.build/tools/venv/bin/pyspdxtools -i "$sbom" >/dev/null || fail "$sbom is not valid SPDX"
for executable in charon-node charon-lifecycle; do
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not any(p["name"] == sys.argv[2] and p.get("versionInfo") == sys.argv[3] for p in d["packages"]))' \
    "$sbom" "$executable" "$version" || fail "$sbom does not list $executable $version"
done
python3 - "$sbom" libarchive-dev libyaml-dev <<'PYTHON' || fail "$sbom does not name charon-node's static libraries"
import json, sys
document = json.load(open(sys.argv[1]))
packages = {package["SPDXID"]: package for package in document["packages"]}
node = {id for id, package in packages.items() if package["name"] == "charon-node" and package.get("primaryPackagePurpose") == "APPLICATION"}
linked = {}
for relationship in document["relationships"]:
    if relationship["relationshipType"] == "STATIC_LINK" and relationship["spdxElementId"] in node:
        package = packages.get(relationship["relatedSpdxElement"])
        if package:
            linked[package["name"]] = package
problems = []
for name in sys.argv[2:]:
    purls = [ref["referenceLocator"] for ref in linked.get(name, {}).get("externalRefs", []) if ref["referenceType"] == "purl"]
    if name not in linked:
        problems.append(f"no charon-node STATIC_LINK {name}")
    elif not any(purl.startswith(f"pkg:deb/debian/{name}@") for purl in purls):
        problems.append(f"{name} has no Debian purl: {purls}")
for problem in problems:
    print(f"check-release: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PYTHON
echo "check-release: passed ($count kustomizations, $pinned)"
