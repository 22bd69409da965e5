/// Decodes `result: null` or any result we do not read (delete answers `{"id": …}`).
struct IgnoredResult: Decodable {
    init(from decoder: any Decoder) throws {}
}
