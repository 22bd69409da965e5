# charon-node — the two commands a new machine needs (see README.md):
#   make demo   install what is missing, build, rebuild the lifecycle image into containerd, run it
#   make test   install what is missing, start a private containerd, run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The version stamped into both executables (the BuildInfo plugin reads CHARON_VERSION). Releases
# set it; otherwise it names the commit, the same in every clone of it.
VERSION      ?= 0.0.0-dev+g$(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
export CHARON_VERSION := $(VERSION)
# Release builds are reproducible: two clones of one commit, wherever they are, give the same bytes
# (scripts/check-reproducible.sh). What varies with the folder, and the flag that removes it:
#   - C sources' __FILE__ (BoringSSL's asserts, …):     -ffile-prefix-map
#   - Swift's `#file` in Swift 5 modules (full path):    ConciseMagicFile (`Module/File.swift`)
#   - `.swift_modhash`, a per-object MD5 the compiler only reads back to skip LLVM codegen on an
#     incremental build, hashes the object's absolute path: -disable-incremental-llvm-codegen
#     leaves it zero. The cost: a release rebuild after a one-file change redoes codegen (~2x).
#   - what no flag reaches (an optimized `withoutActuallyEscaping` check carries the length of the
#     source's absolute path): release builds run with the checkout at one fixed path,
#     scripts/at-fixed-path.sh (a private mount namespace), so every clone compiles the same paths.
# The build id stays: it is a hash of the content, identical when the content is.
#
# Linking (docs/agent.md, memory): lld, for what the default gold cannot do. `-z
# pack-relative-relocs` stores the ~71,000 relative relocations of a static Swift binary as RELR
# (glibc ≥ 2.36) instead of a 1.6 MiB .rela.dyn the loader reads at every start;
# `--no-export-dynamic` undoes the `-export-dynamic` that Swift's static-stdlib link arguments add,
# which exported 25,000 symbols that nothing looks up (each library loaded after the executable
# searched them first). Together: 2.8 MiB less RSS at start, a 15% smaller binary.
FIXED_ROOT   := /tmp/charon-node-src
LINK_FLAGS   := -Xswiftc -use-ld=lld -Xlinker --no-export-dynamic -Xlinker -z -Xlinker pack-relative-relocs
BUILD_FLAGS  := -c release --static-swift-stdlib -Xlinker -s $(LINK_FLAGS) \
  -Xswiftc -Xfrontend -Xswiftc -disable-incremental-llvm-codegen \
  -Xswiftc -enable-upcoming-feature -Xswiftc ConciseMagicFile \
  -Xcc -ffile-prefix-map=$(FIXED_ROOT)=/charon-node -Xswiftc -file-prefix-map -Xswiftc $(FIXED_ROOT)=/charon-node
SWIFT_RELEASE := CHARON_FIXED_ROOT=$(FIXED_ROOT) scripts/at-fixed-path.sh swift build $(BUILD_FLAGS)
RELEASE_BIN  := .build/release
DEMO_DIR     := $(CURDIR)/.build/demo
TEST_CTD_DIR := $(CURDIR)/.build/containerd-test
HOST_SOCKET  := /run/containerd/containerd.sock
PREFIX       ?= /usr/local

.PHONY: help deps deps-demo deps-test deps-bench deps-release build release check-reproducible demo test lint bench bench-lifecycle bench-agent bench-fleet install clean

help:
	@echo "make demo    build and run the lifecycle image in containerd (a private one if the node has none)"
	@echo "make test    every test, against a private containerd and real nginx"
	@echo "make release REGISTRY=<registry>/<path> VERSION=<x.y.z> [REGISTRY_INSECURE=1]"
	@echo "             push the agent image and pin daemonset/ to it by digest (docs/operations.md)"
	@echo "make bench   image build vs buildah vs the single-pass floor (docs/benchmarks.md)"
	@echo "make bench-lifecycle / bench-agent / bench-fleet   docs/lifecycle.md, docs/agent.md, docs/fleet.md figures"
	@echo "make lint    swift format lint --strict, Package.swift against the imports, the source layout"
	@echo "make install binaries, image specs and the systemd units under $(PREFIX) (bare hosts)"

# Each job installs what it needs and no more (scripts/install-deps.sh lists them).
deps:
	@scripts/install-deps.sh build
deps-demo:
	@scripts/install-deps.sh demo
deps-test:
	@scripts/install-deps.sh test
deps-bench:
	@scripts/install-deps.sh bench
deps-release:
	@scripts/install-deps.sh release

build: deps
	$(SWIFT_RELEASE)

# Builds the release binaries with VERSION stamped in, the agent image with charon-node's own
# builder, pushes it (skopeo) and pins every kustomization under PIN_DIR (daemonset/) to it by
# digest. The last line printed is `released REGISTRY/charon-node:VERSION@sha256:…`.
release: deps-release
	@[[ "$(origin VERSION)" == "command line" || "$(origin VERSION)" == environment ]] || \
	  { echo "make release: set VERSION=<x.y.z>" >&2; exit 2; }
	$(SWIFT_RELEASE)
	REGISTRY=$(REGISTRY) VERSION=$(VERSION) REGISTRY_INSECURE=$(REGISTRY_INSECURE) PIN_DIR=$(or $(PIN_DIR),daemonset) \
	  RELEASE_BIN=$(RELEASE_BIN) scripts/release.sh

# The demo uses the node's containerd when it has one, else a private one under .build/demo.
demo: deps-demo build
	@set -euo pipefail; \
	if [[ -S $(HOST_SOCKET) ]]; then socket=$(HOST_SOCKET); namespace=k8s.io; \
	else socket=$$(scripts/private-containerd.sh start $(DEMO_DIR)/containerd); namespace=k8s.io; \
	  echo "no containerd on this node: started a private one at $$socket"; fi; \
	echo "== charon-node image rebuild"; \
	$(RELEASE_BIN)/charon-node image rebuild --spec images/tailscale-lifecycle \
	  --output $(DEMO_DIR)/tailscale-lifecycle-image.tar --containerd-address $$socket --namespace $$namespace; \
	echo "== again, with nothing changed"; \
	$(RELEASE_BIN)/charon-node image rebuild --spec images/tailscale-lifecycle \
	  --output $(DEMO_DIR)/tailscale-lifecycle-image.tar --containerd-address $$socket --namespace $$namespace; \
	echo "== ctr images ls"; \
	ctr --address $$socket -n $$namespace images ls name==localhost/tailscale-lifecycle:latest; \
	echo "== charon-lifecycle --version, run from the image by containerd"; \
	ctr --address $$socket -n $$namespace run --rm --net-host localhost/tailscale-lifecycle:latest \
	  charon-demo-$$$$ /usr/local/bin/charon-lifecycle --version

# A second clone of HEAD at a long path, built with `make build`, must give the same binaries and
# lifecycle image as this checkout's release build (`make test` runs the script after its release).
check-reproducible: build
	scripts/check-reproducible.sh $(VERSION)

# Builds the tests, starts the private containerd, runs everything (CI=true turns missing
# prerequisites into failures, not skips), and always stops containerd again.
# Then the release against a real registry (scripts/check-release.sh), the reproducibility of that
# release build (scripts/check-reproducible.sh) and the manifests.
test: deps-test lint
	@scripts/install-tools.sh all
	swift build --build-tests
	@set -uo pipefail; \
	socket=$$(scripts/private-containerd.sh start $(TEST_CTD_DIR)) || exit 1; \
	CHARON_TEST_CONTAINERD_ADDRESS=$$socket CHARON_TEST_CONTAINERD_DIR=$(TEST_CTD_DIR) \
	  swift test --skip-build 2>&1 | tee .build/test.log; status=$${PIPESTATUS[0]}; \
	scripts/check-release.sh $$socket || status=1; \
	scripts/check-reproducible.sh 9.8.7 || status=1; \
	scripts/private-containerd.sh stop $(TEST_CTD_DIR); \
	scripts/check-manifests.sh || status=1; \
	.build/tools/venv/bin/python scripts/check-admission-policy.py || status=1; \
	{ .build/tools/venv/bin/python scripts/check-examples.py --self-test && .build/tools/venv/bin/python scripts/check-examples.py; } || status=1; \
	exit $$status

# Formatting, Package.swift against the imports (every edge real, every import declared), and
# the source layout (one public type per file, a usage example on each).
lint:
	swift format lint --strict --recursive Package.swift Sources Tests Plugins
	scripts/check-imports.py
	scripts/check-source-layout.py --self-test
	scripts/check-source-layout.py

bench: deps-bench
	$(SWIFT_RELEASE)
	bench/image-build.py

# The other two benchmarks of docs/lifecycle.md and docs/agent.md (minutes each: idle RSS and CPU).
bench-lifecycle: deps-bench
	$(SWIFT_RELEASE) --product charon-lifecycle
	swift build --product CharonFakes
	bench/lifecycle.sh

bench-agent: deps-bench
	$(SWIFT_RELEASE)
	bench/agent.sh

# `charon-node fleet --once` over 10,000 nodes and 10,000 records in the fakes (docs/fleet.md).
bench-fleet: deps
	$(SWIFT_RELEASE) --product charon-node
	$(SWIFT_RELEASE) --product CharonFakes
	bench/fleet.sh

install: build
	install -D -m 0755 $(RELEASE_BIN)/charon-node $(DESTDIR)$(PREFIX)/bin/charon-node
	install -D -m 0755 $(RELEASE_BIN)/charon-lifecycle $(DESTDIR)$(PREFIX)/bin/charon-lifecycle
	for spec in images/*/image.yaml; do \
	  install -D -m 0644 $$spec $(DESTDIR)$(PREFIX)/share/charon-node/$$spec; done
	if [[ -f systemd/charon-node.service ]]; then \
	  install -D -m 0644 systemd/charon-node.service $(DESTDIR)/etc/systemd/system/charon-node.service; \
	  [[ -f $(DESTDIR)/etc/charon-node/charon-node.env ]] || \
	    install -D -m 0640 systemd/charon-node.env $(DESTDIR)/etc/charon-node/charon-node.env; fi
	install -D -m 0644 systemd/charon-fleet.service $(DESTDIR)/etc/systemd/system/charon-fleet.service
	install -D -m 0644 systemd/charon-fleet.timer $(DESTDIR)/etc/systemd/system/charon-fleet.timer
	[[ -f $(DESTDIR)/etc/charon-node/charon-fleet.env ]] || \
	  install -D -m 0640 systemd/charon-fleet.env $(DESTDIR)/etc/charon-node/charon-fleet.env

clean:
	scripts/private-containerd.sh stop $(TEST_CTD_DIR) || true
	scripts/private-containerd.sh stop $(DEMO_DIR)/containerd || true
	rm -rf .build
