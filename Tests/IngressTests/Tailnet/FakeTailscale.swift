import CharonSupport
import Glibc
import Ingress
import Synchronization
import Tailscale
import TestSupport

/// A `tailscale` executable (a shell script) in a temporary folder: `status --json` prints
/// `status.json`; `up` records its arguments and what it read from the key file, then either
/// switches `status.json` to `after-up.json` or, when `up-fails` exists, fails with a message that
/// echoes the flags and the key (as real errors can); `logout` records itself and switches
/// `status.json` to a logged-out NeedsLogin.
final class FakeTailscale {
    let folder: TemporaryDirectory
    var executable: String { "\(folder.path)/tailscale" }
    var cli: TailscaleCLI { TailscaleCLI(executable: executable) }

    init(status: String, afterUp: String? = nil) throws {
        folder = try TemporaryDirectory(prefix: "fake-tailscale")
        try folder.write("status.json", status)
        try folder.write("after-up.json", afterUp ?? TailscaleFixtures.running())
        try folder.write("after-logout.json", TailscaleFixtures.needsLogin)
        try folder.write(
            "tailscale",
            #"""
            #!/bin/sh
            dir="$(dirname "$0")"
            case "$1" in --socket=*) shift ;; esac
            case "$1" in
            status)
              [ "$2" = "--json" ] || { echo "fake: only status --json" >&2; exit 2; }
              cat "$dir/status.json"; exit 0 ;;
            up)
              echo "$*" >> "$dir/up-log"
              key=""
              for a in "$@"; do
                case "$a" in --auth-key=file:*)
                  f="${a#--auth-key=file:}"; key="$(cat "$f")"
                  printf '%s' "$key" > "$dir/key-seen"; stat -c %a "$f" > "$dir/key-mode" ;;
                esac
              done
              if [ -f "$dir/up-fails" ]; then
                echo "backend error: invalid key: unable to validate API key $key" >&2
                echo "error: up $* failed with key $key" >&2
                exit 1
              fi
              cp "$dir/after-up.json" "$dir/status.json"; exit 0 ;;
            logout)
              echo "logout" >> "$dir/logout-log"
              cp "$dir/after-logout.json" "$dir/status.json"; exit 0 ;;
            esac
            echo "fake: unknown command $*" >&2; exit 2
            """#,
            mode: 0o755
        )
    }

    func setStatus(_ json: String) throws { try folder.write("status.json", json) }
    func failUp() throws { try folder.write("up-fails", "") }

    func read(_ name: String) -> String? {
        (try? POSIXIO.readFile("\(folder.path)/\(name)")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// One line per `tailscale up`, its arguments space-separated.
    var upCalls: [String] { (read("up-log") ?? "").split(separator: "\n").map(String.init) }
    /// How many times `tailscale logout` ran.
    var logoutCalls: Int { (read("logout-log") ?? "").split(separator: "\n").count }
}

/// Headscale's side, recorded: which names were cleaned, how many keys were minted.
final class FakeEnrollment: TailnetEnrollment {
    let key: String
    private let state = Mutex<(cleaned: [String], keys: Int, lifetimes: [Duration])>(([], 0, []))

    init(key: String = "hskey-auth-Zk3q9XbT1mPw-7c4d2e8f0a1b3c5d7e9f1a3b5c7d9e0f2a4b6c8d0e2f4a6b8c") {
        self.key = key
    }

    func removeStaleNodes(named hostname: String) async throws -> Int {
        state.withLock { $0.cleaned.append(hostname) }
        return 1
    }

    func createPreAuthKey(expiringIn lifetime: Duration) async throws -> String {
        state.withLock {
            $0.keys += 1
            $0.lifetimes.append(lifetime)
        }
        return key
    }

    var cleaned: [String] { state.withLock { $0.cleaned } }
    var keysMinted: Int { state.withLock { $0.keys } }
    var keyLifetimes: [Duration] { state.withLock { $0.lifetimes } }
}
