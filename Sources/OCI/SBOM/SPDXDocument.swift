/// The SPDX 2.3 JSON document charon writes for an image: the fields scanners and SPDX's own
/// validator read, nothing more.
///
/// ```swift
/// let document = SPDXDocument(name: "localhost/tailscale-lifecycle:latest", namespace: namespace,
///                             created: "1970-01-01T00:00:00Z", creators: ["Tool: charon-node-9.8.7"])
/// let bytes = try CanonicalJSON.encode(document)
/// ```
public struct SPDXDocument: Codable, Hashable, Sendable {
    public struct CreationInfo: Codable, Hashable, Sendable {
        public var created: String
        public var creators: [String]
    }

    public struct ExternalReference: Codable, Hashable, Sendable {
        public var referenceCategory: String
        public var referenceType: String
        public var referenceLocator: String

        public static func purl(_ locator: String) -> ExternalReference {
            ExternalReference(referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: locator)
        }
    }

    public struct Package: Codable, Hashable, Sendable {
        public var SPDXID: String
        public var name: String
        public var versionInfo: String?
        public var supplier: String?
        public var downloadLocation: String = "NOASSERTION"
        public var filesAnalyzed: Bool = false
        public var licenseConcluded: String = "NOASSERTION"
        public var licenseDeclared: String = "NOASSERTION"
        public var copyrightText: String = "NOASSERTION"
        public var sourceInfo: String?
        public var primaryPackagePurpose: String?
        public var externalRefs: [ExternalReference]?
        public var comment: String?
    }

    public struct Relationship: Codable, Hashable, Sendable {
        public var spdxElementId: String
        public var relationshipType: String
        public var relatedSpdxElement: String
    }

    public var spdxVersion = "SPDX-2.3"
    public var dataLicense = "CC0-1.0"
    public var SPDXID = "SPDXRef-DOCUMENT"
    public var name: String
    public var documentNamespace: String
    public var creationInfo: CreationInfo
    public var documentDescribes: [String] = []
    public var packages: [Package] = []
    public var relationships: [Relationship] = []

    public init(name: String, namespace: String, created: String, creators: [String]) {
        self.name = name
        self.documentNamespace = namespace
        self.creationInfo = CreationInfo(created: created, creators: creators)
    }

    /// An SPDX identifier from free text: letters, digits, `.` and `-` only.
    public static func identifier(_ parts: String...) -> String {
        let text = parts.joined(separator: "-")
        return "SPDXRef-" + String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "-" })
    }
}
