import Glibc
import TestSupport

/// `CharonFakes`: the Headscale and Cloudflare fakes as a process, for the benchmark and for
/// running `charon-lifecycle` by hand (or in a container with host networking) against them.
/// Test support only: it is not part of charon-lifecycle's dependency closure.
///
/// ```
/// CharonFakes --nodes 10000 --records 10000 --version 0.28
/// HEADSCALE_URL=http://127.0.0.1:41234
/// CLOUDFLARE_API_URL=http://127.0.0.1:41235/client/v4
/// ADMIN_URL=http://127.0.0.1:41236
/// ```
///
/// Seeds user `services` with `--nodes` nodes, two per hostname `svc-<n>` (the second with a
/// Headscale-suffixed given name), and `--records` records, an A and an AAAA per
/// `svc-<n>.example.com`, all owned. With `--scenario fleet` it seeds the fleet pass's benchmark
/// instead (``FleetScenario``). The admin server answers `GET /first-request` (arrival time, ns
/// since the epoch, of the first API request since the last `POST /reset`) and `GET /counts`.
/// Runs until SIGTERM or SIGINT.
@main
struct CharonFakes {
    static func main() async throws {
        var options: [String: String] = [
            "--nodes": "10000", "--records": "10000", "--version": "0.28", "--api-key": "hskey-bench", "--token": "cf-bench", "--zone": "bench-zone",
            "--scenario": "lifecycle", "--batch-limit": "200",
        ]
        var arguments = CommandLine.arguments.dropFirst()
        while let name = arguments.popFirst() {
            guard options[name] != nil, let value = arguments.popFirst() else {
                print(
                    "usage: CharonFakes [--nodes N] [--records N] [--version 0.23|0.26|0.28] [--api-key K] [--token T] [--zone Z] [--scenario lifecycle|fleet] [--batch-limit N]"
                )
                exit(2)
            }
            options[name] = value
        }
        guard let version = FakeHeadscale.Version(rawValue: options["--version"]!), let nodes = Int(options["--nodes"]!),
            let records = Int(options["--records"]!), let batchLimit = Int(options["--batch-limit"]!),
            ["lifecycle", "fleet"].contains(options["--scenario"]!)
        else {
            print("CharonFakes: bad --version, --nodes, --records, --scenario or --batch-limit")
            exit(2)
        }
        let apis = try await HeadscaleAndCloudflare.start(
            version: version,
            apiKey: options["--api-key"]!,
            user: "services",
            token: options["--token"]!,
            zoneID: options["--zone"]!,
            batchLimit: batchLimit
        )
        let headscale = apis.headscale
        let cloudflare = apis.cloudflare
        if options["--scenario"] == "fleet" {
            FleetScenario(nodes: nodes, records: records).seed(headscale: headscale, cloudflare: cloudflare)
        }
        for index in 0..<nodes where options["--scenario"] == "lifecycle" {
            let host = "svc-\(index / 2)"
            headscale.addNode(name: host, user: "services", givenName: index % 2 == 0 ? host : "\(host)-x8k2p1q3")
        }
        let marker = "managed by charon-lifecycle; owner=charon"
        for index in 0..<records where options["--scenario"] == "lifecycle" {
            let host = "svc-\(index / 2).example.com"
            if index % 2 == 0 {
                cloudflare.addRecord(name: host, type: "A", content: "100.64.\(index / 500 % 250).\(index % 250 + 1)", ttl: 60, comment: marker)
            } else {
                cloudflare.addRecord(name: host, type: "AAAA", content: "fd7a:115c:a1e0::\(String(index, radix: 16))", ttl: 60, comment: marker)
            }
        }
        let admin = try await LoopbackServer.start { request in
            switch (request.method, request.path) {
            case ("POST", "/reset"):
                headscale.clearLog()
                cloudflare.clearLog()
                return .text(200, "ok")
            case ("GET", "/first-request"):
                let first = (headscale.requests + cloudflare.requests).map(\.receivedAt).min()
                return .text(200, first.map(String.init) ?? "none")
            case ("GET", "/counts"):
                return .text(
                    200,
                    "nodes=\(headscale.nodes.count) records=\(cloudflare.records.count) headscale_requests=\(headscale.requests.count) cloudflare_requests=\(cloudflare.requests.count)"
                )
            default:
                return .text(404, "not found")
            }
        }
        print("HEADSCALE_URL=\(headscale.url)")
        print("CLOUDFLARE_API_URL=\(cloudflare.url)")
        print("ADMIN_URL=\(admin.baseURL)")
        fflush(nil)  // all streams: the URLs must reach a pipe now
        // Wait for SIGTERM/SIGINT.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            var thread = pthread_t()
            let box = Unmanaged.passRetained(ContinuationBox(continuation)).toOpaque()
            pthread_create(&thread, nil, waitForStopSignal, box)
        }
        await admin.stop()
        await headscale.stop()
        await cloudflare.stop()
    }
}

final class ContinuationBox: @unchecked Sendable {
    let continuation: CheckedContinuation<Void, Never>
    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
}

/// Thread body: blocks in sigwait for SIGTERM/SIGINT, then resumes the waiting task. A free
/// function so it carries no actor isolation (it runs on a plain pthread).
private func waitForStopSignal(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    var received: Int32 = 0
    sigwait(&set, &received)
    Unmanaged<ContinuationBox>.fromOpaque(raw!).takeRetainedValue().continuation.resume()
    return nil
}
