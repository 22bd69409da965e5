import CYAML

extension YAMLNode {
    /// Parses text holding one YAML document (JSON is YAML) with libyaml; nil when the text holds
    /// no document at all (empty, or comments only).
    ///
    /// Aliases are resolved to the node their anchor names. A mapping that repeats a key, a second
    /// document, or nesting deeper than 256 levels is an error, like a syntax error, with the line
    /// and column.
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode? {
        var composer = Composer(EventReader(text))
        return try composer.document()
    }
}

/// libyaml's events, copied out of its buffers.
private enum Event {
    case streamStart, streamEnd, documentStart, documentEnd, sequenceEnd, mappingEnd
    case alias(String)
    case scalar(String, plain: Bool, anchor: String?)
    case sequenceStart(anchor: String?)
    case mappingStart(anchor: String?)
}

/// Owns a libyaml parser over a private copy of the text (libyaml keeps pointers to both).
private final class EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let input: UnsafeMutableBufferPointer<UInt8>

    init(_ text: String) {
        let bytes = Array(text.utf8)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        parser = .allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        _ = yaml_parser_initialize(parser)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    func next() throws(YAMLError) -> (Event, YAMLMark) {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw failure() }
        defer { yaml_event_delete(&event) }
        let mark = Self.mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT: return (.streamStart, mark)
        case YAML_STREAM_END_EVENT: return (.streamEnd, mark)
        case YAML_DOCUMENT_START_EVENT: return (.documentStart, mark)
        case YAML_DOCUMENT_END_EVENT: return (.documentEnd, mark)
        case YAML_SEQUENCE_END_EVENT: return (.sequenceEnd, mark)
        case YAML_MAPPING_END_EVENT: return (.mappingEnd, mark)
        case YAML_ALIAS_EVENT: return (.alias(Self.text(event.data.alias.anchor) ?? ""), mark)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
            return (.scalar(value, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, anchor: Self.text(scalar.anchor)), mark)
        case YAML_SEQUENCE_START_EVENT: return (.sequenceStart(anchor: Self.text(event.data.sequence_start.anchor)), mark)
        case YAML_MAPPING_START_EVENT: return (.mappingStart(anchor: Self.text(event.data.mapping_start.anchor)), mark)
        default: throw YAMLError(mark: mark, problem: "unexpected parser event \(event.type.rawValue)")
        }
    }

    private func failure() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? (state.error == YAML_MEMORY_ERROR ? "out of memory" : "unreadable YAML")
        let context = state.context.map { String(cString: $0) }
        return YAMLError(
            mark: Self.mark(state.problem_mark),
            problem: problem,
            context: context,
            contextMark: context == nil ? nil : Self.mark(state.context_mark)
        )
    }

    private static func mark(_ mark: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }
}

/// Builds the node tree of the first document from the event stream.
private struct Composer {
    static let maximumDepth = 256
    let reader: EventReader
    var anchors: [String: YAMLNode] = [:]

    init(_ reader: EventReader) { self.reader = reader }

    mutating func document() throws(YAMLError) -> YAMLNode? {
        _ = try reader.next()  // stream start
        let (start, startMark) = try reader.next()
        if case .streamEnd = start { return nil }
        guard case .documentStart = start else { throw YAMLError(mark: startMark, problem: "expected a document") }
        let root = try node(try reader.next(), depth: 0)
        _ = try reader.next()  // document end
        let (after, afterMark) = try reader.next()
        if case .documentStart = after {
            throw YAMLError(mark: afterMark, problem: "a second document (---): expected exactly one")
        }
        return root
    }

    mutating func node(_ event: (Event, YAMLMark), depth: Int) throws(YAMLError) -> YAMLNode {
        let (kind, mark) = event
        guard depth < Self.maximumDepth else {
            throw YAMLError(mark: mark, problem: "nested deeper than \(Self.maximumDepth) levels")
        }
        switch kind {
        case .alias(let name):
            guard let node = anchors[name] else { throw YAMLError(mark: mark, problem: "alias *\(name) names no anchor before it") }
            return node
        case .scalar(let text, let plain, let anchor):
            return remember(YAMLNode(.scalar(text, plain: plain), mark: mark), anchor: anchor)
        case .sequenceStart(let anchor):
            var elements: [YAMLNode] = []
            while true {
                let next = try reader.next()
                if case .sequenceEnd = next.0 { break }
                elements.append(try node(next, depth: depth + 1))
            }
            return remember(YAMLNode(.sequence(elements), mark: mark), anchor: anchor)
        case .mappingStart(let anchor):
            var entries: [YAMLNode.Entry] = []
            var seen: [String: YAMLMark] = [:]
            while true {
                let next = try reader.next()
                if case .mappingEnd = next.0 { break }
                let key = try node(next, depth: depth + 1)
                if let name = key.scalar {
                    if let first = seen[name] {
                        throw YAMLError(mark: key.mark, problem: "duplicate key \"\(name)\" (first at \(first))")
                    }
                    seen[name] = key.mark
                }
                entries.append(YAMLNode.Entry(key: key, value: try node(try reader.next(), depth: depth + 1)))
            }
            return remember(YAMLNode(.mapping(entries), mark: mark), anchor: anchor)
        default:
            throw YAMLError(mark: mark, problem: "unexpected \(kind) event")
        }
    }

    private mutating func remember(_ node: YAMLNode, anchor: String?) -> YAMLNode {
        if let anchor { anchors[anchor] = node }
        return node
    }
}
