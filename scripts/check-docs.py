#!/usr/bin/env python3
"""Checks that the documentation stands alone; exits non-zero on any problem.

  - every relative link in README.md and docs/*.md points at a file or folder of the repository
    (not outside it), and a `#anchor` at a heading of the Markdown file it names
  - no file of the repository refers to the team's folder beside the checkout (the parent
    folder's `shared/`): someone who clones the repository does not have it

  scripts/check-docs.py              check the repository this script lives in
  scripts/check-docs.py --self-test  prove the checks catch what they should, on a scratch tree

Run by scripts/check-manifests.sh (and so by `make test`).
"""

import os
import re
import sys
import tempfile

# Spelled in two parts so that this file does not match its own search.
OUTSIDE_REFERENCE = ".." + "/shared"

SKIPPED_FOLDERS = {".git", ".swiftpm", "node_modules"}
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def markdown_lines(text):
    """The lines outside fenced code blocks: number, the line, and the line with inline code
    spans blanked out (a link written inside backticks is an example, not a link)."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,})", stripped)
        if marker:
            if fence is None:
                fence = marker.group(1)[0] * len(marker.group(1))
                continue
            if stripped.startswith(fence):
                fence = None
                continue
        if fence is not None:
            continue
        yield number, line, re.sub(r"(`+)(?:(?!\1).)+?\1", "``", line)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path):
    found = set()
    counts = {}
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for _, raw, line in markdown_lines(text):
        heading = HEADING.match(raw)
        if heading:
            base = slug(heading.group(2).replace("`", ""))
            n = counts.get(base, 0)
            counts[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
        found.update(EXPLICIT_ANCHOR.findall(line))
    return found


def link_targets(text):
    for number, _, line in markdown_lines(text):
        for match in LINK.finditer(line):
            yield number, match.group(1)
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            yield number, definition.group(1)


def check_links(root, documents):
    problems = []
    root = os.path.realpath(root)
    for document in documents:
        full = os.path.join(root, document)
        with open(full, encoding="utf-8") as handle:
            text = handle.read()
        for number, target in link_targets(text):
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # https:, mailto:, …
                continue
            where = f"{document}:{number}: {target}"
            path, _, anchor = target.partition("#")
            if path:
                resolved = os.path.realpath(os.path.join(os.path.dirname(full), path))
                if os.path.commonpath([root, resolved]) != root:
                    problems.append(f"{where}: points outside the repository")
                    continue
                if not os.path.exists(resolved):
                    problems.append(f"{where}: no such file")
                    continue
            else:
                resolved = full
            if anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                problems.append(f"{where}: no heading with anchor #{anchor}")
    return problems


def check_outside_references(root):
    problems = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(s for s in subfolders if s not in SKIPPED_FOLDERS and not s.startswith(".build"))
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as handle:
                    lines = handle.read().splitlines()
            except (UnicodeDecodeError, OSError):
                continue
            for number, line in enumerate(lines, 1):
                if OUTSIDE_REFERENCE in line:
                    problems.append(f"{os.path.relpath(path, root)}:{number}: refers to {OUTSIDE_REFERENCE}, outside the repository")
    return problems


def documents_of(root):
    documents = ["README.md"] if os.path.exists(os.path.join(root, "README.md")) else []
    docs = os.path.join(root, "docs")
    if os.path.isdir(docs):
        documents += sorted(f"docs/{name}" for name in os.listdir(docs) if name.endswith(".md"))
    return documents


def check(root):
    return check_links(root, documents_of(root)) + check_outside_references(root)


def self_test():
    """A scratch repository with one instance of every problem, and one without any."""
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "docs"))
        os.makedirs(os.path.join(root, "Sources"))

        def write(path, text):
            with open(os.path.join(root, path), "w", encoding="utf-8") as handle:
                handle.write(text)

        write("Sources/a.swift", "// fine\n")
        write(
            "docs/design.md",
            "# Design\n\n## The `charon-node` CLI\n\n## Interfaces\n\n## Interfaces\n\n```\n[x](missing-in-code.md)\n```\n",
        )
        write(
            "README.md",
            "[d](docs/design.md) [a](docs/design.md#the-charon-node-cli) [b](docs/design.md#interfaces-1)"
            " [s](Sources/) [w](https://example.com/x) [self](#readme) `[c](missing-in-span.md)`\n# README\n",
        )
        clean = check(root)
        assert clean == [], f"a clean tree reported problems: {clean}"

        write(
            "docs/migration.md",
            "[gone](gone.md) [anchor](design.md#no-such-heading) [out](../../etc/passwd)\n"
            f"[ref]: nothing-here.md\nsee {OUTSIDE_REFERENCE}/notes\n",
        )
        write("Sources/b.swift", f"// see {OUTSIDE_REFERENCE}/notes\n")
        found = check(root)
        expected = [
            "docs/migration.md:1: gone.md: no such file",
            "docs/migration.md:1: design.md#no-such-heading: no heading with anchor #no-such-heading",
            "docs/migration.md:1: ../../etc/passwd: points outside the repository",
            "docs/migration.md:2: nothing-here.md: no such file",
        ]
        for problem in expected:
            assert problem in found, f"missed: {problem}\nfound: {found}"
        outside = [p for p in found if OUTSIDE_REFERENCE in p and "refers to" in p]
        assert sorted(p.split(":")[0] for p in outside) == ["Sources/b.swift", "docs/migration.md"], outside
        assert len(found) == len(expected) + 2, found
    print("check-docs: self-test passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    problems = check(root)
    for problem in problems:
        print(f"check-docs: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-docs: every relative link in {len(documents_of(root))} documents resolves; nothing refers outside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
