/// Parses durations as Go writes them (`30m`, `1h`, `1h30m`, `500ms`, `2.5s`); a bare number is
/// seconds.
///
/// ```swift
/// DurationParser.parse("1h30m")  // .seconds(5400)
/// DurationParser.parse("10")     // .seconds(10)
/// ```
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        let text = text.filter { !$0.isWhitespace }
        guard !text.isEmpty else { return nil }
        if let seconds = Double(text) { return seconds >= 0 && seconds.isFinite ? milliseconds(seconds * 1000) : nil }
        var total = 0.0
        var rest = Substring(text)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86400
            default: return nil
            }
            total += value * scale
        }
        return milliseconds(total * 1000)
    }

    static func milliseconds(_ value: Double) -> Duration? {
        guard value < 1e15 else { return nil }
        return .milliseconds(Int64(value.rounded()))
    }
}
