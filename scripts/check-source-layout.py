#!/usr/bin/env python3
"""Checks the source conventions of Sources/ (Hummingbird's); exits non-zero on any problem.

  - a file declares at most one top-level `public` or `open` type (struct, class, enum, protocol,
    actor): the main type, in a file named after it; extensions go in `Type+Concern.swift`
  - every top-level `public` or `open` type has a `///` doc comment holding a usage example
    (a ```swift block)

Nested types are not counted, and neither are non-public helper types beside the main type (a
private lock or box used only by it may stay in its file). Comments, string literals (multi-line
and raw ones included) and interpolations are skipped, so a declaration inside them is none.

  scripts/check-source-layout.py              check Sources/ of the repository this script lives in
  scripts/check-source-layout.py --list       also print every file's top-level types (any access)
  scripts/check-source-layout.py --self-test  prove the checks catch what they should, on a scratch tree

Run by `make lint`, self-test first. Swift regex literals (`/…/`) are not lexed; Sources/ has none.
"""

import os
import re
import sys
import tempfile

TYPE_DECLARATION = re.compile(
    r"^\s*(?:@[A-Za-z_][\w.]*(?:\([^)]*\))?\s+)*"  # attributes on the same line
    r"((?:(?:public|open|package|internal|fileprivate|private|final|indirect|nonisolated|"
    r"nonisolated\(unsafe\)|private\(set\)|public\(set\))\s+)*)"
    r"(struct|class|enum|protocol|actor)\s+([A-Za-z_][A-Za-z0-9_]*)"
)
ATTRIBUTE_LINE = re.compile(r"^\s*@[A-Za-z_][\w.]*(?:\(.*\))?\s*$")
EXAMPLE_FENCE = re.compile(r"^\s*///\s*```\s*swift\b")


def scan(text):
    """For each line: (number, line, brace depth at its start, whether it starts in code).

    A small lexer: `//` and nested `/* */` comments, "…", \"\"\"…\"\"\" and #"…"# strings with
    `\\(…)` interpolations (which may hold strings and closures of their own)."""
    lines = text.split("\n")
    result = []
    depth = 0
    # The context stack: ("code", open parentheses) inside interpolations, or
    # ("string", pounds, multiline) or ("comment", nesting).
    stack = [("code", 0)]
    for number, line in enumerate(lines, 1):
        result.append((number, line, depth, stack[-1][0] == "code" and len(stack) == 1))
        i = 0
        n = len(line)
        while i < n:
            top = stack[-1]
            c = line[i]
            if top[0] == "comment":
                if line.startswith("/*", i):
                    stack[-1] = ("comment", top[1] + 1)
                    i += 2
                elif line.startswith("*/", i):
                    if top[1] == 1:
                        stack.pop()
                    else:
                        stack[-1] = ("comment", top[1] - 1)
                    i += 2
                else:
                    i += 1
                continue
            if top[0] == "string":
                _, pounds, multiline = top
                closing = ('"""' if multiline else '"') + "#" * pounds
                escape = "\\" + "#" * pounds
                if line.startswith(escape, i):
                    after = i + len(escape)
                    if after < n and line[after] == "(":
                        stack.append(("code", 1))
                        i = after + 1
                    else:
                        i = after + 1  # the escaped character
                    continue
                if line.startswith(closing, i):
                    stack.pop()
                    i += len(closing)
                    continue
                i += 1
                continue
            # Code.
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                stack.append(("comment", 1))
                i += 2
                continue
            match = re.match(r'(#*)("""|")', line[i:])
            if match and (match.group(1) == "" or c == "#"):
                pounds = len(match.group(1))
                multiline = match.group(2) == '"""'
                stack.append(("string", pounds, multiline))
                i += match.end()
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif c == "(" and len(stack) > 1:
                stack[-1] = ("code", top[1] + 1)
            elif c == ")" and len(stack) > 1:
                if top[1] == 1:
                    stack.pop()  # back into the string the interpolation is in
                else:
                    stack[-1] = ("code", top[1] - 1)
            i += 1
        # A single-line string never continues on the next line (an unterminated one is a
        # compile error); dropping it keeps one mistake from swallowing the file.
        while stack[-1][0] == "string" and not stack[-1][2]:
            stack.pop()
    return result


def top_level_types(text):
    """(line number, access, keyword, name, doc comment lines) of each top-level type."""
    scanned = scan(text)
    found = []
    for index, (number, line, depth, in_code) in enumerate(scanned):
        if depth != 0 or not in_code:
            continue
        match = TYPE_DECLARATION.match(line)
        if not match:
            continue
        modifiers = match.group(1).split()
        access = next((m for m in modifiers if m in ("public", "open", "package", "internal", "fileprivate", "private")), "internal")
        doc = []
        previous = index - 1
        while previous >= 0 and ATTRIBUTE_LINE.match(scanned[previous][1]):
            previous -= 1
        while previous >= 0 and scanned[previous][1].lstrip().startswith("///"):
            doc.insert(0, scanned[previous][1])
            previous -= 1
        found.append((number, access, match.group(2), match.group(3), doc))
    return found


def check_file(path, shown):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    types = top_level_types(text)
    problems = []
    public = [t for t in types if t[1] in ("public", "open")]
    if len(public) > 1:
        names = ", ".join(t[3] for t in public)
        for number, _, _, name, _ in public[1:]:
            problems.append(
                f"{shown}:{number}: {name} is the file's second or later top-level public type ({names}); give it a file of its own"
            )
    for number, access, keyword, name, doc in public:
        if not doc:
            problems.append(f"{shown}:{number}: {access} {keyword} {name} has no /// doc comment")
        elif not any(EXAMPLE_FENCE.match(line) for line in doc):
            problems.append(f"{shown}:{number}: {access} {keyword} {name}'s doc comment has no ```swift usage example")
    return types, problems


def swift_files(root):
    sources = os.path.join(root, "Sources")
    for folder, subfolders, files in os.walk(sources):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".swift"):
                yield os.path.join(folder, name)


def check(root, listing=None):
    problems = []
    for path in swift_files(root):
        shown = os.path.relpath(path, root)
        types, found = check_file(path, shown)
        problems += found
        if listing is not None and types:
            listing.append(f"{shown}: " + ", ".join(f"{t[1]} {t[2]} {t[3]}" for t in types))
    return problems


def self_test():
    """A scratch Sources/ with one instance of every problem, and files that look like problems but are not."""
    with tempfile.TemporaryDirectory() as root:

        def write(path, text):
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as handle:
                handle.write(text)

        example = "///\n/// ```swift\n/// let x = 1\n/// ```\n"
        write(
            "Sources/A/Good.swift",
            "import Foundation\n\n/// The main type.\n" + example + "@available(macOS 13, *)\n@usableFromInline\n"
            "public struct Good: Sendable {\n"
            "    public enum Nested { case a }\n"
            "    public struct Inner {}\n"
            "    let text = \"\"\"\n"
            "        public struct InMultiline {}\n"
            "        \\(\"}\") { \"\"\"\n"
            "    let raw = #\"public struct InRaw {} \"# + \"\\(Nested.a) #\"\n"
            "    let braces = \"{{{\"\n"
            "}\n\n"
            "// public struct InLineComment {}\n"
            "/* public struct InBlock {}\n   /* nested */ public struct StillInBlock {} */\n"
            "private final class Lock {}\n"
            "extension Good {\n    public struct FromExtension {}\n}\n"
            "struct InternalHelper {}\n",
        )
        write(
            "Sources/A/Extension+Concern.swift",
            "extension Good {\n    public func f() {}\n}\n",
        )
        clean = check(root)
        assert clean == [], f"a clean tree reported problems: {clean}"
        listing = []
        check(root, listing)
        assert listing == [
            "Sources/A/Good.swift: public struct Good, private class Lock, internal struct InternalHelper"
        ], listing

        write(
            "Sources/B/Two.swift",
            "/// One.\n" + example + "public struct One {}\n\n"
            "/// Two, without an example.\n///\n/// ```yaml\n/// a: b\n/// ```\n"
            "public final class Two {\n    func f() { let s = \"}\" }\n}\n\n"
            "open class Three {}\n\n"
            "/// Four, a blank line away from its comment.\n" + example + "\npublic enum Four {}\n",
        )
        found = check(root)
        expected = [
            "Sources/B/Two.swift:13: Two is the file's second or later top-level public type (One, Two, Three, Four); give it a file of its own",
            "Sources/B/Two.swift:17: Three is the file's second or later top-level public type (One, Two, Three, Four); give it a file of its own",
            "Sources/B/Two.swift:25: Four is the file's second or later top-level public type (One, Two, Three, Four); give it a file of its own",
            "Sources/B/Two.swift:13: public class Two's doc comment has no ```swift usage example",
            "Sources/B/Two.swift:17: open class Three has no /// doc comment",
            "Sources/B/Two.swift:25: public enum Four has no /// doc comment",
        ]
        assert found == expected, "\n".join(["expected:"] + expected + ["found:"] + found)
    print("check-source-layout: self-test passed")


def main():
    arguments = sys.argv[1:]
    if arguments == ["--self-test"]:
        self_test()
        return 0
    if arguments not in ([], ["--list"]):
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    listing = [] if arguments == ["--list"] else None
    problems = check(root, listing)
    for line in listing or []:
        print(line)
    for problem in problems:
        print(f"check-source-layout: {problem}", file=sys.stderr)
    if problems:
        return 1
    count = sum(1 for _ in swift_files(root))
    print(f"check-source-layout: {count} files in Sources/, each with at most one public type, every public type with a usage example")
    return 0


if __name__ == "__main__":
    sys.exit(main())
