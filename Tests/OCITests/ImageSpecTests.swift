import OCI
import Testing

@Suite("Image spec parsing")
struct ImageSpecTests {
    let valid = """
        reference: localhost/tailscale-lifecycle:v1
        compression: gzip
        platform: linux/arm64
        config:
          entrypoint: [/usr/local/bin/app]
          cmd: run
          env:
            B: "2"
            A: "1"
          labels:
            org.opencontainers.image.title: demo
        layers:
          - name: app
            contents:
              - executable: app
              - file: files/config.json
                destination: /etc/app/config.json
                mode: "0640"
                owner: "10:20"
              - content: hello
                destination: /etc/motd
              - mkdir: /tmp
                mode: "1777"
              - symlink: /usr/local/bin/app
                destination: /app
              - caCertificates: true
        """

    @Test func parsesEveryField() throws {
        let spec = try ImageSpec.parse(valid, path: "/specs/demo/image.yaml", baseDirectory: "/specs/demo")
        #expect(spec.reference.repository == "localhost/tailscale-lifecycle")
        #expect(spec.reference.tag == "v1")
        #expect(spec.compression == .gzip)
        #expect(spec.platform == Platform(architecture: "arm64", os: "linux"))
        #expect(spec.config.entrypoint == ["/usr/local/bin/app"])
        #expect(spec.config.cmd == ["run"])
        #expect(spec.config.env == ["A=1", "B=2"])  // sorted: stable config bytes
        #expect(spec.config.user == "65532:65532")  // non-root by default
        #expect(spec.config.labels == ["org.opencontainers.image.title": "demo"])
        let items = spec.layers[0].contents
        #expect(items.count == 6)
        #expect(items[0] == LayerItem(kind: .executable(source: "app"), destination: "usr/local/bin/app"))
        #expect(
            items[1]
                == LayerItem(
                    kind: .file(source: "files/config.json"),
                    destination: "etc/app/config.json",
                    mode: 0o640,
                    owner: Ownership(uid: 10, gid: 20)
                )
        )
        #expect(items[3] == LayerItem(kind: .makeDirectory, destination: "tmp", mode: 0o1777))
        #expect(items[4] == LayerItem(kind: .symlink(target: "/usr/local/bin/app"), destination: "app"))
        #expect(
            items[5]
                == LayerItem(kind: .caCertificates(source: "/etc/ssl/certs/ca-certificates.crt"), destination: "etc/ssl/certs/ca-certificates.crt")
        )
    }

    @Test func executablesDeclareTheArchivesTheyLinkStatically() throws {
        let text = """
            reference: localhost/x
            layers:
              - contents:
                  - executable: charon-node
                    staticLibraries: [libarchive.a, libyaml.a]
                  - executable: charon-lifecycle
            """
        let items = try ImageSpec.parse(text, path: "s", baseDirectory: ".").layers[0].contents
        #expect(items[0].kind == .executable(source: "charon-node", staticLibraries: ["libarchive.a", "libyaml.a"]))
        #expect(items[0].destination == "usr/local/bin/charon-node")
        #expect(items[1].kind == .executable(source: "charon-lifecycle", staticLibraries: []))
    }

    @Test func referenceDefaultsToLatest() throws {
        let spec = try ImageSpec.parse("reference: localhost/x\nlayers: [{contents: [{mkdir: /a}]}]", path: "s", baseDirectory: ".")
        #expect(spec.reference.description == "localhost/x:latest")
        #expect(spec.compression == .none)
    }

    @Test(arguments: [
        ("reference: [unclosed", "not valid YAML"),
        ("layers: []", "reference is required"),
        ("reference: localhost/x\n", "layers is required"),
        ("reference: Localhost/X\nlayers: [{contents: [{mkdir: /a}]}]", "reference \"Localhost/X\" is invalid"),
        ("reference: localhost/x\ncompression: brotli\nlayers: [{contents: [{mkdir: /a}]}]", "compression \"brotli\" is invalid"),
        ("reference: localhost/x\nlayers: [{contents: [{file: a, destinaton: /b}]}]", "unknown field layers[0].contents[0].destinaton"),
        ("reference: localhost/x\nlayers: [{contents: [{file: a}]}]", "layers[0].contents[0].destination is required"),
        ("reference: localhost/x\nlayers: [{contents: [{file: a, mkdir: /b, destination: /c}]}]", "exactly one of"),
        ("reference: localhost/x\nlayers: [{contents: [{file: a, destination: ../etc/passwd}]}]", "escapes the image root"),
        ("reference: localhost/x\nlayers: [{contents: [{file: a, destination: /usr/../../etc}]}]", "escapes the image root"),
        ("reference: localhost/x\nlayers: [{contents: [{mkdir: /a, mode: \"999\"}]}]", "expected octal permission bits"),
        ("reference: localhost/x\nlayers: [{contents: [{mkdir: /a, owner: root}]}]", "expected numeric uid:gid"),
        ("reference: localhost/x\nlayers: [{contents: [{mkdir: /}]}]", "image root itself"),
        ("reference: localhost/x\nextra: 1\nlayers: [{contents: [{mkdir: /a}]}]", "unknown field extra"),
        ("reference: localhost/x\ncompression: zstd\ncompressionLevel: 30\nlayers: [{contents: [{mkdir: /a}]}]", "expected 1 to 19 for zstd"),
        ("reference: localhost/x\ncompressionLevel: 3\nlayers: [{contents: [{mkdir: /a}]}]", "uncompressed layers have no level"),
        ("reference: localhost/x\nlayers: [{contents: [{mkdir: /a}]}]\nlayers: []", "duplicate key \"layers\""),
        // Only an executable links; each name a bare `.a` file name.
        (
            "reference: localhost/x\nlayers: [{contents: [{file: a, destination: /b, staticLibraries: [libyaml.a]}]}]",
            "layers[0].contents[0].staticLibraries \"file\" is invalid: only an executable item links static libraries"
        ),
        (
            "reference: localhost/x\nlayers: [{contents: [{executable: app, staticLibraries: [libarchive.a, libyaml.so]}]}]",
            "layers[0].contents[0].staticLibraries[1] \"libyaml.so\" is invalid"
        ),
        (
            "reference: localhost/x\nlayers: [{contents: [{executable: app, staticLibraries: [/usr/lib/libyaml.a]}]}]",
            "layers[0].contents[0].staticLibraries[0] \"/usr/lib/libyaml.a\" is invalid"
        ),
        (
            "reference: localhost/x\nlayers: [{contents: [{executable: app, staticLibraries: {a: libyaml.a}}]}]",
            "layers[0].contents[0].staticLibraries"
        ),
    ])
    func rejectsBadSpecsNamingTheProblem(text: String, message: String) {
        do {
            _ = try ImageSpec.parse(text, path: "bad.yaml", baseDirectory: ".")
            Issue.record("accepted a bad spec: \(text)")
        } catch {
            #expect(error.description.contains(message), "message was: \(error.description)")
        }
    }

    @Test func loadsTheShippedSpecs() throws {
        let root = TestPaths.packageRoot
        let lifecycle = try ImageSpec.load(from: "\(root)/images/tailscale-lifecycle")
        #expect(lifecycle.reference.description == "localhost/tailscale-lifecycle:latest")
        #expect(lifecycle.compression == .none)
        #expect(lifecycle.config.user == "65532:65532")
        #expect(lifecycle.config.entrypoint == ["/usr/local/bin/charon-lifecycle"])
        let agent = try ImageSpec.load(from: "\(root)/images/charon-node")
        #expect(agent.compression == .zstd)
        #expect(agent.compressionLevel == 19, "a release image: compressed once, pulled by every node")
        #expect(lifecycle.compressionLevel == nil)
        #expect(agent.layers.count == 2)
        // Release builds link these in: without the declaration the SBOM would not name them.
        #expect(agent.layers[1].contents[0].kind == .executable(source: "charon-node", staticLibraries: ["libarchive.a", "libyaml.a"]))
        #expect(agent.layers[0].contents[0].kind == .executable(source: "charon-lifecycle"))
    }

    @Test func imagePathsNormalize() throws {
        #expect(try ImagePath.normalize("/usr//local/./bin/", field: "d") == "usr/local/bin")
        #expect(try ImagePath.normalize("etc/x", field: "d") == "etc/x")
        #expect(throws: ImageSpecError.escapesRoot(field: "d", path: "/a/../b")) { try ImagePath.normalize("/a/../b", field: "d") }
    }
}
