/// What the kernel holds compared with the policy, read from `nft -j list table`.
///
/// ```swift
/// switch try await firewall.inspect() {
/// case .inPlace: break
/// case .missing, .drifted: try await firewall.apply()
/// }
/// ```
public enum FirewallState: Sendable, Equatable, CustomStringConvertible {
    /// The table holds exactly the policy's chain and rule.
    case inPlace
    /// No charon table: ports 80/443 are open on every interface.
    case missing
    /// The table exists but differs (a rule edited, added or removed); the text says how.
    case drifted(String)

    public var description: String {
        switch self {
        case .inPlace: "in place"
        case .missing: "missing"
        case .drifted(let reason): "drifted: \(reason)"
        }
    }
}

extension FirewallPolicy {
    /// Compares an `nft -j list table inet <table>` listing with this policy, by meaning: handles,
    /// comments and the order of set elements do not count.
    public func state(ofListing listing: JSONValue) throws -> FirewallState {
        guard let items = listing["nftables"]?.arrayValue else {
            throw FirewallError.unreadableListing("no \"nftables\" array")
        }
        var tables = 0
        var chains: [JSONValue] = []
        var rules: [JSONValue] = []
        for item in items {
            if item["table"]?["name"]?.stringValue == tableName { tables += 1 }
            if let chain = item["chain"], chain["table"]?.stringValue == tableName { chains.append(chain) }
            if let rule = item["rule"], rule["table"]?.stringValue == tableName { rules.append(rule) }
        }
        guard tables > 0 else { return .missing }
        guard chains.count == 1, let chain = chains.first else {
            return .drifted("expected 1 chain, found \(chains.count)")
        }
        let expectedChain: [(String, JSONValue)] = [
            ("name", .string(Self.chainName)), ("type", .string("filter")), ("hook", .string("input")),
            ("prio", .number(Double(Self.chainPriority))), ("policy", .string("accept")),
        ]
        for (key, value) in expectedChain where chain[key] != value {
            return .drifted("chain \(key) is \(chain[key]?.description ?? "absent"), expected \(value)")
        }
        let expected = expectedRules
        guard rules.count == expected.count else {
            return .drifted("expected \(expected.count) rules, found \(rules.count)")
        }
        for (index, (rule, expression)) in zip(rules, expected).enumerated() {
            guard rule["chain"]?.stringValue == Self.chainName else {
                return .drifted("rule \(index + 1) is in chain \(rule["chain"]?.description ?? "?")")
            }
            let found = Self.normalized(rule["expr"] ?? .null)
            let wanted = Self.normalized(expression)
            guard found == wanted else {
                return .drifted("rule \(index + 1) is \(found), expected \(wanted)")
            }
        }
        return .inPlace
    }

    /// Each rule's expressions as nft 1.0's JSON schema prints ``ruleTexts``, in the same order.
    var expectedRules: [JSONValue] {
        func setOrScalar(_ values: [JSONValue]) -> JSONValue {
            values.count == 1 ? values[0] : .object(["set": .array(values)])
        }
        func match(_ op: String, _ left: JSONValue, _ right: JSONValue) -> JSONValue {
            .object(["match": .object(["op": .string(op), "left": left, "right": right])])
        }
        let tcpPort = JSONValue.object(["payload": .object(["protocol": .string("tcp"), "field": .string("dport")])])
        let inputInterface = JSONValue.object(["meta": .object(["key": .string("iifname")])])
        let fromTailnet = [
            match("==", inputInterface, .string(tailnetInterface)),
            match("in", .object(["ct": .object(["key": .string("state")])]), .string("new")),
        ]
        let drop = JSONValue.object(["drop": .null])
        return [
            .array([
                match("==", tcpPort, setOrScalar(ports.map { .number(Double($0)) })),
                match("==", .object(["fib": .object(["result": .string("type"), "flags": .array([.string("daddr")])])]), .string("local")),
                match("!=", inputInterface, setOrScalar(allowedInterfaces.map { .string($0) })),
                drop,
            ]),
            .array(fromTailnet + [match("!=", tcpPort, setOrScalar(tailnetPorts.map { .number(Double($0)) })), drop]),
            .array(
                fromTailnet + [
                    match(
                        "!=",
                        .object(["meta": .object(["key": .string("l4proto")])]),
                        .object(["set": .array(Self.tailnetProtocols.map { .string($0) })])
                    ),
                    drop,
                ]
            ),
        ]
    }

    /// Sorts anonymous set elements, which nft may list in its own order.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                if key == "set", case .array(let items) = member {
                    result[key] = .array(items.map(normalized).sorted { $0.description < $1.description })
                } else {
                    result[key] = normalized(member)
                }
            }
            return .object(result)
        case .array(let items):
            return .array(items.map(normalized))
        default:
            return value
        }
    }
}
