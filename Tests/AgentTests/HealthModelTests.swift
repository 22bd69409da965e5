import Agent
import CharonSupport
import TestSupport
import Testing

@Suite("Health model: overall state, readiness, last change")
struct HealthModelTests {
    static func model() -> HealthModel {
        HealthModel(
            node: "node1",
            checks: [
                ("containerd", .unhealthy, true), ("image", .unhealthy, true), ("disk", .degraded, true),
                ("tailscale", .degraded, false), ("ingress", .degraded, false),
            ]
        )
    }

    @Test func startsUnhealthyAndNotReadyUntilTheFirstPass() {
        let model = Self.model()
        #expect(model.snapshot.overall == .unhealthy)
        #expect(!model.isReady)
        #expect(model.snapshot.summary == "unhealthy: containerd: not checked yet; image: not checked yet; disk: not checked yet")
        #expect(model.snapshot["tailscale"]?.result.message == "not configured on this node")
    }

    @Test func overallIsTheWorstFailedImpact() {
        let model = Self.model()
        model.record("containerd", .ok("up"), at: Timestamp(seconds: 100))
        model.record("image", .ok("there", details: ["digest": "sha256:ab"]), at: Timestamp(seconds: 100))
        model.record("disk", .ok("plenty"), at: Timestamp(seconds: 100))
        var snapshot = model.publish(at: Timestamp(seconds: 100))
        #expect(snapshot.overall == .healthy)
        #expect(snapshot.ready)
        #expect(snapshot.summary == "healthy: there")

        model.record("disk", .failed("full", reason: "DiskSpaceLow"), at: Timestamp(seconds: 160))
        snapshot = model.publish(at: Timestamp(seconds: 160))
        #expect(snapshot.overall == .degraded)
        #expect(snapshot.ready, "a full disk degrades the node; the image is still there")

        model.record("containerd", .failed("socket missing"), at: Timestamp(seconds: 220))
        model.record("image", .failed("cannot verify"), at: Timestamp(seconds: 220))
        snapshot = model.publish(at: Timestamp(seconds: 220))
        #expect(snapshot.overall == .unhealthy)
        #expect(!snapshot.ready)
        #expect(snapshot.overall.exitCode == 2)
        #expect(snapshot.summary == "unhealthy: containerd: socket missing; image: cannot verify; disk: full")
    }

    @Test func lastChangeMovesOnlyWhenOkOrReasonChanges() {
        let model = Self.model()
        #expect(model.record("disk", .ok("10 GiB free", reason: "DiskSpaceAvailable"), at: Timestamp(seconds: 10)))
        #expect(!model.record("disk", .ok("9 GiB free", reason: "DiskSpaceAvailable"), at: Timestamp(seconds: 20)))
        var entry = model.publish()["disk"]!
        #expect(entry.lastChange == Timestamp(seconds: 10))
        #expect(entry.lastChecked == Timestamp(seconds: 20))
        #expect(entry.result.message == "9 GiB free")
        #expect(model.record("disk", .failed("full", reason: "DiskSpaceLow"), at: Timestamp(seconds: 30)))
        entry = model.publish()["disk"]!
        #expect(entry.lastChange == Timestamp(seconds: 30))
    }

    @Test func statusBodyIsTheLastPublishedDocument() throws {
        let model = Self.model()
        model.record(
            "image",
            .ok("there", details: ["digest": "sha256:ab", "reference": "localhost/x:latest"]),
            at: Timestamp(seconds: 1_795_610_360)
        )
        let before = model.statusBody
        model.record("containerd", .ok("up"))
        #expect(model.statusBody == before, "recording alone does not change what is served")
        model.publish()
        let document = try StatusDocument.decode(Array(buffer: model.statusBody))
        #expect(document.node == "node1")
        #expect(document.checks["image"]?.details["digest"] == "sha256:ab")
        #expect(document.checks["image"]?.lastChange == Timestamp(seconds: 1_795_610_360))
        #expect(document.order == ["containerd", "image", "disk", "tailscale", "ingress"])
        #expect(document.passes == 1)
    }

    @Test func theFleetObjectIsThereOnlyWhenTheAgentCampaignsAndIsServedAtOnce() throws {
        let plain = Self.model()
        plain.updateFleet { $0.leader = true }
        #expect(plain.snapshot.fleet == nil, "no fleet: nothing to report, the update is ignored")
        #expect(!String(buffer: plain.statusBody).contains("\"fleet\""))

        let model = HealthModel(node: "node1", checks: [("containerd", .unhealthy, true)], fleet: true)
        #expect(try StatusDocument.decode(Array(buffer: model.statusBody)).fleet == FleetReport())
        model.updateFleet { report in
            report.leader = true
            report.passes = 1
            report.lastPass = Timestamp(seconds: 1_796_202_000)
            report.lastSucceeded = false
            report.lastSummary = "fleet pass FAILED: …"
        }
        let served = try StatusDocument.decode(Array(buffer: model.statusBody))
        #expect(served.fleet?.leader == true && served.fleet?.lastSucceeded == false)
        #expect(served.fleet?.lastSuccess == nil)
        #expect(served.passes == 0, "a fleet update is not a reconcile pass")
        #expect(String(buffer: model.statusBody).contains(#""lastPass" : "2026-12-02T"#))
    }

    @Test func aStuckPassFailsLiveness() {
        let clock = ManualClock()
        let model = HealthModel(node: "node1", checks: [("containerd", .unhealthy, true)], clock: clock)
        #expect(model.isAlive(stallLimit: .seconds(600)))
        model.passDidStart()
        clock.advance(by: .seconds(599))
        #expect(model.isAlive(stallLimit: .seconds(600)), "a pass may run up to the limit")
        clock.advance(by: .seconds(1))
        #expect(!model.isAlive(stallLimit: .seconds(600)), "a pass running for the whole limit is stuck")
        model.publish()
        #expect(model.isAlive(stallLimit: .seconds(600)))
    }
}

@Suite("Status document, addresses, timestamps")
struct StatusFormatTests {
    @Test func timestampsAreRFC3339UTC() {
        #expect(Timestamp(seconds: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 1_795_610_360).rfc3339 == "2026-11-25T12:39:20Z")
        #expect(Timestamp(rfc3339: "2026-11-25T12:39:20Z") == Timestamp(seconds: 1_795_610_360))
        #expect(Timestamp(rfc3339: "yesterday") == nil)
    }

    @Test(arguments: [
        (":9102", "0.0.0.0", 9102), ("127.0.0.1:9102", "127.0.0.1", 9102), ("[::1]:9102", "::1", 9102),
        ("[::]:0", "::", 0), ("localhost:80", "localhost", 80),
    ])
    func statusAddressesParse(text: String, host: String, port: Int) throws {
        let address = try StatusAddress(parsing: text)
        #expect(address.host == host && address.port == port)
    }

    @Test(arguments: ["9102", "host:", "host:99999", ":port", ""])
    func badStatusAddressesAreRefused(text: String) {
        #expect(throws: StatusAddress.ParseError.self) { try StatusAddress(parsing: text) }
    }

    @Test func detailsAreFlattenedIntoTheEntryAndRoundTrip() throws {
        let model = HealthModel(node: "n", checks: [("image", .unhealthy, true)])
        model.record("image", .ok("ok", details: ["digest": "sha256:1", "ok": "spoof"]), at: Timestamp(seconds: 5))
        model.publish(at: Timestamp(seconds: 5))
        let text = String(buffer: model.statusBody)
        #expect(text.contains(#""digest" : "sha256:1""#))
        #expect(!text.contains("spoof"), "a detail cannot overwrite a standard field")
        let document = try StatusDocument.decode(Array(text.utf8))
        #expect(document.checks["image"]?.ok == true)
        #expect(document.checks["image"]?.details == ["digest": "sha256:1"])
    }
}
