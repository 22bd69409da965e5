/// Cloudflare's v4 response envelope: `success`, `errors[]`, `result`, `result_info`.
struct CloudflareEnvelope<Result: Decodable>: Decodable {
    var success: Bool
    var errors: [CloudflareMessage]?
    var result: Result?
    var resultInfo: ResultInfo?

    enum CodingKeys: String, CodingKey {
        case success, errors, result
        case resultInfo = "result_info"
    }

    struct ResultInfo: Decodable {
        var page: Int?
        var perPage: Int?
        var count: Int?
        var totalCount: Int?
        var totalPages: Int?

        enum CodingKeys: String, CodingKey {
            case page, count
            case perPage = "per_page"
            case totalCount = "total_count"
            case totalPages = "total_pages"
        }
    }
}
