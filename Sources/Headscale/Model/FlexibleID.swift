/// Decodes an identifier sent as a JSON string (`"7"`, grpc-gateway's uint64) or a number (`7`).
struct FlexibleID: Decodable {
    let value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else {
            value = String(try container.decode(UInt64.self))
        }
    }
}
