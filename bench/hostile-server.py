#!/usr/bin/env python3
"""Peak RSS of `charon-lifecycle cleanup` against a hostile Headscale (docs/lifecycle.md).

A loopback server answers `GET /api/v1/user` with one of:
  endless    a body with no length that never ends
  announced  `Content-Length: 8589934592` (8 GiB), then the bytes, for as long as anyone reads
  gzip-bomb  1 MB of gzip that inflates to 1 GiB of zeros (one hand-built deflate block)
  normal     a small valid answer (the baseline; cleanup then fails later, on the missing node list)
and runs the binary under /usr/bin/time for each, printing peak RSS, wall time and its error line.

  bench/hostile-server.py [PATH-TO-charon-lifecycle]   (default .build/release, else .build/debug)
"""
import os, socket, subprocess, sys, tempfile, threading, time, zlib

def gzip_bomb(matches):
    # Dynamic-Huffman block: header + literal 0 (105 bits), then `matches` copies of
    # (length 258, distance 1) at 2 bits each (all zero bits), then end of block `11`.
    start = bytes.fromhex("edc0810000000080a0fda917a9")
    end_bit = 105 + 2 * matches
    deflate = bytearray(start) + bytearray((end_bit + 2 + 7) // 8 - len(start))
    for bit in (end_bit, end_bit + 1):
        deflate[bit // 8] |= 1 << (bit % 8)
    size = 1 + 258 * matches
    crc = 0
    chunk = bytes(1 << 24)
    left = size
    while left:
        piece = min(left, len(chunk))
        crc = zlib.crc32(chunk[:piece], crc)
        left -= piece
    header = bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF])
    return header + bytes(deflate) + crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little"), size

def serve(listener, mode, bomb):
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=answer, args=(connection, mode, bomb), daemon=True).start()

def answer(connection, mode, bomb):
    try:
        request = b""
        while b"\r\n\r\n" not in request:
            data = connection.recv(4096)
            if not data:
                return
            request += data
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        chunk = b" " * 65536
        if mode == "endless":
            connection.sendall(head.encode() + b"\r\n")
            while True:
                connection.sendall(chunk)
        elif mode == "announced":
            connection.sendall((head + "Content-Length: 8589934592\r\n\r\n").encode())
            while True:
                connection.sendall(chunk)
        elif mode == "gzip-bomb":
            connection.sendall((head + f"Content-Encoding: gzip\r\nContent-Length: {len(bomb)}\r\n\r\n").encode() + bomb)
        else:
            body = b'{"users": [{"id": "1", "name": "services", "createdAt": "2026-01-01T00:00:00Z"}]}'
            connection.sendall((head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
    except OSError:
        pass
    finally:
        connection.close()

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = sys.argv[1] if len(sys.argv) > 1 else next(
        (p for p in (f"{root}/.build/release/charon-lifecycle", f"{root}/.build/debug/charon-lifecycle") if os.path.exists(p)), None)
    if not binary:
        sys.exit("build charon-lifecycle first (swift build --product charon-lifecycle)")
    bomb, inflated = gzip_bomb(4_161_790)
    print(f"binary {binary}; gzip bomb {len(bomb):,} bytes inflating to {inflated:,}")
    print("| server answer | peak RSS MiB | wall s | exit | error |")
    print("|---|---|---|---|---|")
    for mode in ("normal", "endless", "announced", "gzip-bomb"):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        threading.Thread(target=serve, args=(listener, mode, bomb), daemon=True).start()
        scratch = tempfile.mkdtemp(prefix="hostile-")
        environment = {"PATH": "/usr/bin:/bin", "TS_HOSTNAME": "svc", "HEADSCALE_URL": f"http://127.0.0.1:{listener.getsockname()[1]}",
                       "HEADSCALE_API_KEY": "hskey-bench", "HEADSCALE_USER": "services", "AUTHKEY_OUTPUT_PATH": f"{scratch}/authkey"}
        started = time.monotonic()
        result = subprocess.run(["/usr/bin/time", "-f", "maxrss_kib=%M", binary, "cleanup"], env=environment,
                                capture_output=True, text=True, timeout=300)
        wall = time.monotonic() - started
        listener.close()
        rss = next((int(line.split("=")[1]) for line in result.stderr.splitlines() if line.startswith("maxrss_kib=")), 0)
        error = next((line for line in result.stderr.splitlines() if line.startswith("error") or "failed" in line), "")
        print(f"| {mode} | {rss / 1024:.1f} | {wall:.2f} | {result.returncode} | {error[:150]} |")

if __name__ == "__main__":
    main()
