"""Compare a newer copy of Together's published OpenAPI spec with the extract we pinned.

    make spec-drift UPSTREAM=path/to/openapi.yaml
    python tools/spec_drift.py path/to/openapi.yaml

Both specs are reduced to *facts* about the batch and file endpoints: one line per operation,
per response status and request body, per schema reachable from them (its type, required
list, enum) and per schema property (its type, format, nullability, reference). A fact that
the newer copy changed since the pinned extract (`spec/upstream-090263aa.yaml`, upstream
commit 090263aa) is printed with what ours (`spec/openapi.yaml`) says, marked:

- `known`: ours already says what the newer copy says, or ours differs from upstream there
  on purpose (a row of `spec/differences.yaml`, the table spec/README.md cites);
- `new`: neither. Read it, then change `spec/openapi.yaml` or add a row to the table.

The exit status is 1 when any difference is new, else 0.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PINNED = ROOT / "spec" / "upstream-090263aa.yaml"
OURS = ROOT / "spec" / "openapi.yaml"
DIFFERENCES = ROOT / "spec" / "differences.yaml"
PREFIXES = ("/batches", "/files")
METHODS = ("get", "put", "post", "delete", "patch")
ABSENT = "(absent)"


def load(path: Path) -> dict[str, Any]:
    """A spec file, parsed."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise SystemExit(f"{path} is not an OpenAPI document")
    return data


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe(schema: Any, names: Mapping[str, str]) -> str:
    """One schema (or property) in words: its reference, or its type, format and options."""
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f"ref {names.get(name, name)}"
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return f" {combined} ".join(describe(s, names) for s in schema[combined])
    types = schema.get("type", "any")
    types = list(types) if isinstance(types, list) else [types]
    if schema.get("nullable") is True and "null" not in types:
        types.append("null")
    text = "|".join(str(t) for t in types)
    if "const" in schema:
        text += f" const {schema['const']}"
    if "format" in schema:
        text += f" format {schema['format']}"
    for bound in ("minLength", "maxLength"):
        if bound in schema:
            text += f" {bound} {schema[bound]}"
    if "array" in types:
        text += f" of {describe(schema.get('items'), names)}"
    if "object" in types and schema.get("properties"):
        text += f" ({', '.join(schema['properties'])})"
    return text


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(spec: Mapping[str, Any], node: Any) -> Any:
    # A response or request body may be a $ref to components/responses or requestBodies.
    while isinstance(node, dict) and "$ref" in node and "/schemas/" not in node["$ref"]:
        kind, name = node["$ref"].split("/")[-2:]
        node = spec.get("components", {}).get(kind, {}).get(name, {})
    return node


def _content(spec: Mapping[str, Any], node: Any, names: Mapping[str, str]) -> str:
    content = (_resolve(spec, node) or {}).get("content") or {}
    return (
        "; ".join(
            f"{media}: {describe(body.get('schema'), names)}"
            for media, body in sorted(content.items())
        )
        or "no body"
    )


def facts(
    spec: Mapping[str, Any], names: Mapping[str, str] | None = None, *, every_schema: bool = False
) -> dict[str, str]:
    """The facts of a spec's batch and file endpoints and the schemas they reach.

    Args:
        spec: The parsed spec.
        names: Upstream schema names and what ours calls them (`FileResponse: FileObject`),
            so that one schema is one set of facts under both names.
        every_schema: Every schema of the document, not only those the endpoints reach
            (for ours and the pinned extract, which hold batch and file schemas only).
    """
    names = names or {}
    out: dict[str, str] = {}
    pending: list[str] = []
    for path, item in sorted((spec.get("paths") or {}).items()):
        if path.startswith(PREFIXES):
            pending += _operation_facts(spec, path, item, names, out)
    schemas = (spec.get("components") or {}).get("schemas") or {}
    if every_schema:
        pending += (f"#/components/schemas/{name}" for name in schemas)
    seen: set[str] = set()
    while pending:
        name = _ref_name(pending.pop())
        if name not in seen and name in schemas:
            seen.add(name)
            pending += _refs(schemas[name])
            _schema_facts(names.get(name, name), schemas[name], names, out)
    return out


def _operation_facts(
    spec: Mapping[str, Any], path: str, item: Mapping[str, Any], names: Mapping[str, str],
    out: dict[str, str],
) -> list[str]:  # fmt: skip
    """Add the facts of one path's operations to `out`; return the schemas they reference."""
    pending: list[str] = []
    for method in METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        key = f"{method.upper()} {path}"
        out[key] = "declared"
        for declared in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = _resolve(spec, declared)
            where = f"{parameter.get('in')} {parameter.get('name')}"
            out[f"{key} parameter {where}"] = describe(parameter.get("schema"), names)
        if "requestBody" in operation:
            out[f"{key} request"] = _content(spec, operation["requestBody"], names)
            pending += _refs(_resolve(spec, operation["requestBody"]))
        for status, response in (operation.get("responses") or {}).items():
            out[f"{key} {status}"] = _content(spec, response, names)
            pending += _refs(_resolve(spec, response))
    return pending


def _schema_facts(
    name: str, schema: Mapping[str, Any], names: Mapping[str, str], out: dict[str, str]
) -> None:
    out[f"schema {name}"] = describe({k: v for k, v in schema.items() if k != "properties"}, names)
    if schema.get("required"):
        out[f"schema {name} required"] = ", ".join(sorted(schema["required"]))
    if schema.get("enum"):
        out[f"schema {name} enum"] = ", ".join(str(v) for v in schema["enum"])
    for prop, sub in (schema.get("properties") or {}).items():
        out[f"schema {name}.{prop}"] = describe(sub, names)


def differences(left: Mapping[str, str], right: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The facts that differ, as (left's, right's), absent ones as `(absent)`."""
    return {
        key: (left.get(key, ABSENT), right.get(key, ABSENT))
        for key in sorted(left.keys() | right.keys())
        if left.get(key) != right.get(key)
    }


def table() -> dict[str, Any]:
    """spec/differences.yaml: the schema names map and the rows of known differences."""
    data = load(DIFFERENCES)
    return {"names": data.get("names") or {}, "rows": data.get("rows") or []}


def matching_row(key: str, rows: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first row of the table whose `facts` patterns (fnmatch) match `key`."""
    return next(
        (row for row in rows if any(fnmatch.fnmatchcase(key, p) for p in row["facts"])), None
    )


def ours_vs_pinned() -> dict[str, tuple[str, str]]:
    """Every fact where ours differs from the pinned extract (what the table must list)."""
    names = table()["names"]
    return differences(
        facts(load(OURS), every_schema=True), facts(load(PINNED), names, every_schema=True)
    )


def report(upstream: Path) -> tuple[list[str], int]:
    """The lines `make spec-drift` prints for a newer copy, and how many are new."""
    data = table()
    names, rows = data["names"], data["rows"]
    pinned, newer, ours = (
        facts(load(PINNED), names),
        facts(load(upstream), names),
        facts(load(OURS)),
    )
    changed = differences(pinned, newer)
    lines: list[str] = []
    new = 0
    for key, (was, now) in changed.items():
        here = ours.get(key, ABSENT)
        if here == now:
            mark, why = "known", "ours already says this"
        elif (row := matching_row(key, rows)) is not None:
            mark, why = "known", f"ours differs on purpose: {row['here']}"
        else:
            mark, why, new = "new", "not in spec/differences.yaml", new + 1
        lines.append(f"{mark:5}  {key}\n       pinned: {was}\n       newer:  {now}\n"
                     f"       ours:   {here}  ({why})")  # fmt: skip
    lines.append(f"{len(changed)} difference(s) from the pinned extract, {new} new")
    return lines, new


def render_table() -> str:
    """spec/differences.yaml as the Markdown table spec/README.md shows."""
    lines = ["| here | upstream (`togethercomputer/openapi`, 090263aa) | source of our version |",
             "|---|---|---|"]  # fmt: skip
    for row in table()["rows"]:
        cells = (str(row[key]).replace("|", "\\|") for key in ("here", "upstream", "why"))
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path, nargs="?", help="a newer copy of openapi.yaml")
    parser.add_argument("--table", action="store_true", help="print the README's table")
    parser.add_argument("--facts", type=Path, metavar="SPEC", help="print a spec's facts")
    args = parser.parse_args(argv)
    if args.table:
        print(render_table())
        return 0
    if args.facts is not None:
        for key, value in facts(load(args.facts), table()["names"], every_schema=True).items():
            print(f"{key}: {value}")
        return 0
    if args.upstream is None:
        parser.error("give the newer spec: make spec-drift UPSTREAM=path/to/openapi.yaml")
    lines, new = report(args.upstream)
    print("\n".join(lines))
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
