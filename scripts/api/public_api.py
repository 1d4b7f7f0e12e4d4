#!/usr/bin/env python3
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""The public API of a module as lines of text, from its symbol graph (swift-symbolgraph-extract's JSON).

    public_api.py GRAPH_DIR MODULE                     prints the surface
    public_api.py GRAPH_DIR MODULE --check BASELINE    compares it with BASELINE (exit 1 on a difference)
    public_api.py GRAPH_DIR MODULE --update BASELINE   rewrites BASELINE

One line per declaration: the path of the type it belongs to, a colon, and the declaration as the
symbol graph's declaration fragments spell it (whitespace collapsed), plus the constraints of a
constrained extension and any availability (deprecation). A type's line and its conformances carry
the type's own path, so that a type, its conformances and its members stay together; another
module's type extended here is named with its module (`Swift.Array: var ...`). Lines are sorted by
that path (a type before its nested types), then the type's own declaration, its conformances, its
members.

The graph must have been extracted at public access level (package and internal symbols are not in
it) and with -emit-extension-block-symbols (without it, a conformance added to another module's type
is not in the graph). Synthesized members (a protocol extension's default implementations) are left
out, so are the implicit conformances (Copyable, Escapable, SendableMetatype), which the compiler
records for some types and not others and which depend on its version.
"""
import json
import pathlib
import re
import sys
from collections import Counter

TYPE_KINDS = {"swift.struct", "swift.class", "swift.enum", "swift.protocol", "swift.actor"}
IMPLICIT_CONFORMANCES = {"Swift.Copyable", "Swift.Escapable", "Swift.SendableMetatype"}
RELATIONSHIPS = {"conformsTo": "conforms to", "inheritsFrom": "inherits from"}


def text(fragments):
    return re.sub(r"\s+", " ", "".join(f["spelling"] for f in fragments)).strip()


def constraints(items):
    if not items:
        return ""
    parts = []
    for c in items:
        op = {"conformance": ":", "superclass": ":", "sameType": "=="}.get(c["kind"], c["kind"])
        parts.append(f"{c['lhs']} {op} {c['rhs']}" if op == "==" else f"{c['lhs']}{op} {c['rhs']}")
    return " where " + ", ".join(parts)


def version(v):
    return ".".join(str(v[k]) for k in ("major", "minor", "patch") if k in v)


def availability(items):
    rendered = []
    for a in items or []:
        fields = [a.get("domain", "*")]
        for key in ("introduced", "deprecated", "obsoleted"):
            if key in a:
                fields.append(f"{key} {version(a[key])}")
        for key in ("isUnconditionallyDeprecated", "isUnconditionallyUnavailable"):
            if a.get(key):
                fields.append(key[len("isUnconditionally"):].lower())
        for key in ("renamed", "message"):
            if key in a:
                fields.append(f"{key} {json.dumps(a[key])}")
        rendered.append("@available(" + ", ".join(fields) + ")")
    return "".join(" " + r for r in rendered)


def surface(graph_dir, module):
    """(sort key, line) for every public declaration and conformance in the module's symbol graphs."""
    files = sorted(pathlib.Path(graph_dir).glob(f"{module}.symbols.json")) + \
        sorted(pathlib.Path(graph_dir).glob(f"{module}@*.symbols.json"))
    if not files:
        sys.exit(f"api: no symbol graph of {module} in {graph_dir}")
    entries = []
    for file in files:
        graph = json.loads(file.read_text())
        symbols = {s["identifier"]["precise"]: s for s in graph["symbols"]}

        def path(symbol):
            # A member of an extension of another module's type is named with that module.
            extended = symbol.get("swiftExtension", {}).get("extendedModule", module)
            prefix = [] if extended == module else [extended]
            return prefix + symbol["pathComponents"]

        for symbol in symbols.values():
            if symbol["accessLevel"] not in ("public", "open"):
                sys.exit(f"api: {'.'.join(symbol['pathComponents'])} is {symbol['accessLevel']}: "
                         "extract the graph with -minimum-access-level public")
            # An extension of another module's type (a graph extracted with -emit-extension-block-symbols)
            # is no declaration of its own: its members and conformances are listed under the type.
            if "::SYNTHESIZED::" in symbol["identifier"]["precise"] \
                    or symbol["kind"]["identifier"] == "swift.extension":
                continue
            names = path(symbol)
            is_type = symbol["kind"]["identifier"] in TYPE_KINDS
            group = names if is_type else names[:-1]
            declaration = text(symbol["declarationFragments"])
            if symbol["accessLevel"] == "open" and not declaration.startswith("open "):
                declaration = "open " + declaration
            declaration += constraints(symbol.get("swiftExtension", {}).get("constraints"))
            declaration += availability(symbol.get("availability"))
            entries.append(((tuple(group), 0 if is_type else 2, declaration), declaration))
        for relation in graph["relationships"]:
            kind = RELATIONSHIPS.get(relation["kind"])
            source = symbols.get(relation["source"])
            if kind is None or source is None or "::SYNTHESIZED::" in relation["source"]:
                continue
            target = symbols.get(relation["target"])
            name = ".".join(path(target)) if target else relation.get("targetFallback", relation["target"])
            if name in IMPLICIT_CONFORMANCES:
                continue
            line = f"{kind} {name}{constraints(relation.get('swiftConstraints'))}"
            entries.append(((tuple(path(source)), 1, line), line))
    return [f"{'.'.join(key[0])}: {line}" for key, line in sorted(entries)]


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 4) or (len(args) == 4 and args[2] not in ("--check", "--update")):
        sys.exit(__doc__)
    lines = surface(args[0], args[1])
    if len(args) == 2:
        print("\n".join(lines))
        return
    baseline = pathlib.Path(args[3])
    if args[2] == "--update":
        baseline.parent.mkdir(parents=True, exist_ok=True)
        baseline.write_text("".join(line + "\n" for line in lines))
        print(f"api: wrote {baseline} ({len(lines)} lines)")
        return
    if not baseline.exists():
        sys.exit(f"api: {baseline} is missing: bash scripts/check-api.sh --update writes it")
    recorded = baseline.read_text().splitlines()
    if recorded == lines:
        print(f"api: the public API of {args[1]} is {baseline} ({len(lines)} lines)")
        return
    removed = Counter(recorded) - Counter(lines)
    added = Counter(lines) - Counter(recorded)
    reordered = not removed and not added
    print(f"api: the public API of {args[1]} differs from {baseline}", file=sys.stderr)
    if removed:
        print(f"  removed or changed (the line in {baseline}):", file=sys.stderr)
        for line in recorded:
            if removed[line]:
                removed[line] -= 1
                print(f"    - {line}", file=sys.stderr)
    if added:
        print("  added or changed (the line now):", file=sys.stderr)
        for line in lines:
            if added[line]:
                added[line] -= 1
                print(f"    + {line}", file=sys.stderr)
    if reordered:
        print(f"  (the same lines in another order: {baseline} was edited by hand)", file=sys.stderr)
    print("  If the change is intended, record it in the same commit: bash scripts/check-api.sh --update,\n"
          "  then commit api/ with the change (a removal or change breaks callers: say so in CHANGELOG.md).",
          file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
