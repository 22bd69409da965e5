/// Removes auth keys from text before it is logged or shown: `tailscale up` errors can echo every
/// flag, and a key in a log is a key anyone with log access can use.
///
/// Redacts the known key itself, any `tskey-…`/`hskey-…` token, and the value of `--auth-key` /
/// `--authkey` in both `--flag=value` and `--flag value` forms (a `file:` path is kept: it is not
/// a secret and it helps debugging).
///
/// ```swift
/// AuthKeyRedaction.redact("up --auth-key=tskey-abc failed", knownKeys: [])
/// // "up --auth-key=[redacted] failed"
/// ```
public enum AuthKeyRedaction {
    public static let marker = "[redacted]"

    public static func redact(_ text: String, knownKeys: [String] = []) -> String {
        var result = text
        for key in knownKeys where key.count >= 4 {
            result = result.split(separator: key, omittingEmptySubsequences: false).joined(separator: marker)
        }
        var output = ""
        var redactNext = false
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            output += redactNext && !word.hasPrefix("file:") && !word.hasPrefix("-") ? marker : redactWord(word)
            redactNext = isKeyFlag(word)
            word = ""
        }
        for character in result {
            if character.isWhitespace || character == "\"" || character == "'" {
                flush()
                output.append(character)
            } else {
                word.append(character)
            }
        }
        flush()
        return output
    }

    private static func isKeyFlag(_ word: String) -> Bool {
        ["--auth-key", "-auth-key", "--authkey", "-authkey"].contains(word)
    }

    private static func redactWord(_ word: String) -> String {
        for flag in ["--auth-key=", "-auth-key=", "--authkey=", "-authkey="] where word.hasPrefix(flag) {
            let value = word.dropFirst(flag.count)
            return value.hasPrefix("file:") ? word : flag + marker
        }
        for prefix in ["tskey-", "hskey-"] {
            if let range = word.firstRange(of: prefix) {
                return word[..<range.lowerBound] + marker
            }
        }
        return word
    }
}
