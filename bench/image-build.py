#!/usr/bin/env python3
"""Image build benchmark: charon-node vs buildah vs the single-pass floor, same inputs, one run.

For each input set and compression, the builders run in alternation (ROUNDS times), and the table
reports medians and ratios. The input sets: the real lifecycle spec (images/tailscale-lifecycle:
charon-lifecycle, its shared-library closure, the CA bundle) and two synthetic rootfs folders.
Also: a 1 GiB layer (wall time and peak RSS) and the no-op rebuild.
Usage: bench/image-build.py [--rounds N] [--sets real,28,92,1g] [--markdown docs/benchmarks.md]
(CHARON_NODE=path benchmarks another build; charon-lifecycle must be beside it.)

  charon         charon-node image build --spec <dir with image.yaml>  (fresh output each round;
                 the tarball is on disk, fsynced, before it is renamed into place)
  buildah        buildah bud (vfs, chroot, FROM scratch + COPY, no cache) + buildah push oci-archive:
  floor          tar -cf - rootfs | [compressor |] tee out | openssl dgst -sha256
                 (one read, one write, one hash; nothing flushed to disk)
  durable floor  the same, then `sync out` (fsync of the file), as charon's output is durable
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHARON = os.environ.get("CHARON_NODE") or os.path.join(ROOT, ".build", "release", "charon-node")
REAL_SPEC = os.path.join(ROOT, "images", "tailscale-lifecycle")


def run_timed(command, env=None, cwd=None, cpu=None):
    """Runs a shell command under /usr/bin/time; returns (seconds, peak RSS in MiB). When `cpu` is a
    list, the command's CPU seconds (user + system, children included) are appended to it."""
    rss_file = tempfile.NamedTemporaryFile(delete=False)
    rss_file.close()
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", rss_file.name, "bash", "-c", command],
                   check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    with open(rss_file.name) as handle:
        rss_kib, user, system = handle.read().strip().splitlines()[-1].split()
    os.unlink(rss_file.name)
    if cpu is not None:
        cpu.append(float(user) + float(system))
    return elapsed, int(rss_kib) / 1024


def make_rootfs(folder, total_mb, seed):
    """A rootfs of incompressible-ish files: a few large binaries and many small ones, like a real
    image's closure. Deterministic per seed so every builder sees the same bytes."""
    os.makedirs(folder, exist_ok=True)
    remaining = total_mb << 20
    index = 0
    big = [8 << 20, 4 << 20, 2 << 20, 1 << 20]
    while remaining > 0:
        size = min(remaining, big[index % len(big)] if index < 12 else 64 << 10)
        sub = os.path.join(folder, "usr", "lib", f"d{index % 7}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"f{index:04d}.so"), "wb") as handle:
            # Half random, half repetitive: compressors have real work, like on binaries.
            handle.write(os.urandom(size // 2))
            handle.write(bytes([index % 251]) * (size - size // 2))
        remaining -= size
        index += 1


def write_spec(folder, rootfs, compression):
    with open(os.path.join(folder, "image.yaml"), "w") as handle:
        handle.write(f"""reference: localhost/bench:latest
compression: {compression}
config:
  entrypoint: [/bin/true]
layers:
  - name: rootfs
    contents:
      - directory: {rootfs}
        destination: /rootfs
""")


def real_rootfs(work):
    """The real lifecycle spec's rootfs, as files buildah and the floor can read: charon-node builds
    the image once, and its layer is unpacked (owners and modes kept)."""
    out = os.path.join(work, "unpack")
    rootfs = os.path.join(work, "rootfs-real")
    os.makedirs(out)
    os.makedirs(rootfs)
    subprocess.run([CHARON, "image", "build", "--spec", REAL_SPEC, "--output", f"{out}/image.tar"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["tar", "-C", out, "-xf", f"{out}/image.tar"], check=True)
    with open(os.path.join(out, "manifest.json")) as handle:
        layer = json.load(handle)[0]["Layers"][0]
    subprocess.run(["tar", "-C", rootfs, "--same-owner", "-xpf", os.path.join(out, layer)], check=True)
    shutil.rmtree(out)
    return rootfs


def bench_set(label, rootfs, compression, rounds, work, spec_dir=None):
    """`spec_dir`: an existing spec (the real one, whose rootfs is `rootfs`); else a spec that
    copies `rootfs` to /rootfs is written."""
    if spec_dir is None:
        spec_dir = os.path.join(work, f"spec-{compression}")
        os.makedirs(spec_dir, exist_ok=True)
        write_spec(spec_dir, rootfs, compression)
    context = os.path.join(work, "context")
    if not os.path.exists(context):
        os.makedirs(context)
        # COPY cannot follow a symlink out of the context: buildah gets its own copy of the files.
        subprocess.run(["cp", "-a", rootfs, os.path.join(context, "rootfs")], check=True)
        with open(os.path.join(context, "Containerfile"), "w") as handle:
            target = "/" if spec_dir == REAL_SPEC else "/rootfs/"
            handle.write(f"FROM scratch\nCOPY rootfs/ {target}\n")
    storage = os.path.join(work, "buildah")
    out = os.path.join(work, "out")
    os.makedirs(out, exist_ok=True)
    compressor = {"none": "", "gzip": "gzip -6 |", "zstd": "zstd -3 -T0 -q |"}[compression]
    buildah_flags = {"none": "--disable-compression", "gzip": "", "zstd": "--compression-format zstd"}[compression]
    buildah_common = f"--root {storage}/root --runroot {storage}/run --storage-driver vfs"
    commands = {
        "charon": f"rm -f {out}/charon.tar {out}/charon.tar.inputs.json && {CHARON} image build --spec {spec_dir} --output {out}/charon.tar",
        "buildah": (f"buildah {buildah_common} rmi -a -f >/dev/null 2>&1; "
                    f"buildah {buildah_common} bud --isolation chroot --no-cache --layers=false -q -t localhost/bench:latest -f {context}/Containerfile {context} >/dev/null && "
                    f"rm -f {out}/buildah.tar && buildah {buildah_common} push -q {buildah_flags} localhost/bench:latest oci-archive:{out}/buildah.tar"),
        "floor": f"rm -f {out}/floor.tar && tar -C {rootfs} -cf - . | {compressor} tee {out}/floor.tar | openssl dgst -sha256 >/dev/null",
        "durable": (f"rm -f {out}/floor.tar && tar -C {rootfs} -cf - . | {compressor} tee {out}/floor.tar | openssl dgst -sha256 >/dev/null"
                    f" && sync {out}/floor.tar"),
    }
    results = {name: [] for name in commands}
    cpu = []
    for _ in range(rounds):
        for name, command in commands.items():
            subprocess.run("sync", shell=True)
            results[name].append(run_timed(command, cpu=cpu if name == "charon" else None))
    row = {name: (statistics.median(t for t, _ in values), max(r for _, r in values)) for name, values in results.items()}
    row["charon cpu"] = (statistics.median(cpu), 0)
    return label, compression, row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sets", default="real,28,92,1g", help="comma-separated: real, 28, 92, 1g")
    parser.add_argument("--markdown", default=os.path.join(ROOT, "docs", "benchmarks.md"),
                        help="file whose table is replaced; '' to print only")
    args = parser.parse_args()
    sets = args.sets.split(",")
    if not os.access(CHARON, os.X_OK):
        sys.exit(f"build first: {CHARON} is missing (make bench builds it)")

    work = tempfile.mkdtemp(prefix="charon-bench-", dir=os.path.join(ROOT, ".build"))
    rows = []
    load_before = os.getloadavg()
    try:
        if "real" in sets:
            sub = os.path.join(work, "real")
            os.makedirs(sub)
            rootfs = real_rootfs(sub)
            size = int(subprocess.run(["du", "-sm", "--apparent-size", rootfs], capture_output=True, text=True).stdout.split()[0])
            rows.append(bench_set(f"**real: images/tailscale-lifecycle** ({size} MB)", rootfs, "none", args.rounds, sub, spec_dir=REAL_SPEC))
            print("done: real lifecycle spec", file=sys.stderr)
        for size in (28, 92):
            if str(size) not in sets:
                continue
            rootfs = os.path.join(work, f"rootfs-{size}")
            make_rootfs(rootfs, size, size)
            for compression in ("none", "gzip"):
                sub = os.path.join(work, f"{size}-{compression}")
                os.makedirs(sub)
                rows.append(bench_set(f"{size} MB rootfs", rootfs, compression, args.rounds, sub))
                print(f"done: {size} MB {compression}", file=sys.stderr)
        if "1g" not in sets:
            big_runs = None
        else:
            big_runs, big_floor, noop = bench_big(work)

        load_after = os.getloadavg()
    finally:
        subprocess.run(f"buildah --root {work}/*/buildah/root --runroot {work}/*/buildah/run rmi -a -f >/dev/null 2>&1", shell=True)
        shutil.rmtree(work, ignore_errors=True)

    lines = ["| input | compression | charon-node | charon CPU | buildah bud+push | floor (tar\\|tee\\|openssl sha256) | durable floor (+ sync) "
             "| buildah / charon | charon / durable floor | charon peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, compression, row in rows:
        charon, buildah, floor, durable = row["charon"][0], row["buildah"][0], row["floor"][0], row["durable"][0]
        lines.append(f"| {label} | {compression} | {charon:.3f} s | {row['charon cpu'][0]:.3f} s | {buildah:.3f} s | {floor:.3f} s | {durable:.3f} s "
                     f"| {buildah / charon:.1f}x | {charon / durable:.2f}x | {row['charon'][1]:.1f} MiB |")
    if big_runs is not None:
        big_time = statistics.median(t for t, _ in big_runs)
        big_floor_time = statistics.median(t for t, _ in big_floor)
        lines += ["", "| 1 GiB layer (8 x 128 MiB, none) | median wall | peak RSS |", "|---|---|---|",
                  f"| charon-node image build | {big_time:.2f} s | {max(r for _, r in big_runs):.1f} MiB |",
                  f"| durable floor: tar \\| tee \\| openssl dgst -sha256, sync | {big_floor_time:.2f} s | — |",
                  f"| no-op rebuild (inputs unchanged) | {statistics.median(t for t, _ in noop) * 1000:.1f} ms | {max(r for _, r in noop):.1f} MiB |"]
    table = "\n".join(lines)
    load = (f"load average {load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} (1/5/15 min) at the start, "
            f"{load_after[0]:.1f} / {load_after[1]:.1f} / {load_after[2]:.1f} at the end")
    print(table)
    print(load)
    if args.markdown:
        os.makedirs(os.path.dirname(args.markdown), exist_ok=True)
        header = (f"# Image build benchmark\n\nMeasured by `make bench` (bench/image-build.py) on {time.strftime('%Y-%m-%d %H:%M')}, "
                  f"{os.cpu_count()} cores, medians of {args.rounds} alternating rounds; buildah {subprocess.run(['buildah', '--version'], capture_output=True, text=True).stdout.split()[2]}; "
                  f"{load}.\n\n")
        # Keep the hand-written reading of the figures that follows the table.
        notes = ""
        if os.path.exists(args.markdown):
            with open(args.markdown) as handle:
                previous = handle.read()
            if "\n## Reading it" in previous:
                notes = previous[previous.index("\n## Reading it"):]
        with open(args.markdown, "w") as handle:
            handle.write(header + table + "\n" + notes)


def bench_big(work):
    """1 GiB in one layer: wall time and peak RSS must stay flat."""
    big = os.path.join(work, "rootfs-1g")
    os.makedirs(big)
    for index in range(8):
        subprocess.run(f"head -c {128 << 20} /dev/urandom > {big}/blob{index}", shell=True, check=True)
    spec_dir = os.path.join(work, "spec-1g")
    os.makedirs(spec_dir)
    write_spec(spec_dir, big, "none")
    big_runs = [run_timed(f"rm -f {work}/big.tar {work}/big.tar.inputs.json && {CHARON} image build --spec {spec_dir} --output {work}/big.tar") for _ in range(3)]
    big_floor = [run_timed(f"rm -f {work}/floor-big.tar && tar -C {big} -cf - . | tee {work}/floor-big.tar | openssl dgst -sha256 >/dev/null && sync {work}/floor-big.tar")
                 for _ in range(3)]
    noop = [run_timed(f"{CHARON} image build --spec {spec_dir} --output {work}/big.tar") for _ in range(5)]
    return big_runs, big_floor, noop


if __name__ == "__main__":
    main()
