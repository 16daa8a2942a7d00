#!/usr/bin/env python3
"""Notarium v1 test vectors: an independent Python implementation of the v1 hash formats.

This script is a second implementation of the formats in docs/formats.md (DESIGN section 3),
written from the specification only, without reading or calling the Rust code. It writes
tests/vectors/v1.json, and with leaf_v2.py tests/vectors/v2.json; the Rust test suite must
reproduce every value in them byte for byte.

    pip install blake3 rfc8785
    python3 tests/vectors/generate.py           # (re)write tests/vectors/v1.json and v2.json
    python3 tests/vectors/generate.py --check   # exit 1 if either differs from what it would write

Deterministic: no randomness, no clock. Dependencies: the standard library, `blake3` (BLAKE3-256)
and `rfc8785` (Trail of Bits' RFC 8785 JSON Canonicalization Scheme).

Formats implemented (all hashes BLAKE3-256, 64 lowercase hex digits):

* content_hash  = BLAKE3(content bytes); for structured content (a JSON object),
                  BLAKE3(RFC 8785 canonical JSON of it).
* meta_hash     = BLAKE3(RFC 8785 canonical JSON of the metadata object); BLAKE3(b"{}") if none.
* leaf_text     = the 8 lines below, each "name value\\n", the last one included:
                      notarium/leaf/v1 | id | kind | content | salt | meta | owner | received
  leaf_hash     = BLAKE3(0x00 || leaf_text)
* Merkle tree   : RFC 6962 recursive definition over the leaf hashes (leaves are NOT hashed
                  again): MTH({d}) = d; MTH(D[n]) = BLAKE3(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
                  with k the largest power of two < n.
* proof         : RFC 6962 audit path PATH(m, D[n]), siblings leaf level first.
* header_text   = the 7 lines notarium/block/v1 | log | height | prev | root | leaves | sealed
  block_hash    = BLAKE3(header_text)  (no prefix byte)
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys

import blake3
import rfc8785

import leaf_v2
import merkle
from merkle import b3, mth, path, root_by_levels, verify_proof

# --- Primitives

ZERO_HASH = "0" * 64
KINDS = ("document", "contract", "image", "invoice", "invoice-void", "claim", "claim-withdrawal")

HEX64 = re.compile(r"^[0-9a-f]{64}\Z")
UUID_V7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
TIME_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z")
LOG_NAME = re.compile(r"^[a-z0-9.-]+(/[a-z0-9.-]+)*\Z")


def b3hex(data: bytes) -> str:
    """BLAKE3-256 digest as 64 lowercase hex digits."""
    return blake3.blake3(data).hexdigest()


def canonical_json(value) -> bytes:
    """RFC 8785 canonical JSON bytes (UTF-8)."""
    return rfc8785.dumps(value)


def check_hex64(value: str, what: str) -> None:
    if not isinstance(value, str) or not HEX64.match(value):
        raise AssertionError(f"{what} is not 64 lowercase hex digits: {value!r}")


def check_uuid_v7(value: str, what: str) -> None:
    if not isinstance(value, str) or not UUID_V7.match(value):
        raise AssertionError(f"{what} is not a lowercase UUIDv7: {value!r}")


def check_time(value: str, what: str) -> None:
    if not isinstance(value, str) or not TIME_MS.match(value):
        raise AssertionError(f"{what} is not RFC 3339 UTC with milliseconds: {value!r}")
    # Must also be a real instant.
    _dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")


def fmt_time(t: _dt.datetime) -> str:
    """RFC 3339 UTC, truncated to milliseconds, e.g. 2026-11-21T08:00:00.123Z."""
    assert t.tzinfo is _dt.timezone.utc
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


# --- Leaf


def content_bytes(inp: dict) -> bytes:
    has_utf8 = "content_utf8" in inp
    has_json = "content_json" in inp
    if has_utf8 == has_json:
        raise AssertionError("exactly one of content_utf8 / content_json is required")
    if has_utf8:
        assert isinstance(inp["content_utf8"], str)
        return inp["content_utf8"].encode("utf-8")
    assert isinstance(inp["content_json"], dict)
    return canonical_json(inp["content_json"])


def metadata_canonical(metadata) -> bytes:
    if metadata is None:
        return b"{}"
    assert isinstance(metadata, dict), "metadata must be a JSON object or null"
    return canonical_json(metadata)


def leaf_text(id_: str, kind: str, content: str, salt: str, meta: str, owner: str,
              received: str) -> str:
    lines = [
        "notarium/leaf/v1",
        f"id {id_}",
        f"kind {kind}",
        f"content {content}",
        f"salt {salt}",
        f"meta {meta}",
        f"owner {owner}",
        f"received {received}",
    ]
    return "".join(line + "\n" for line in lines)


def leaf_hash(text: str) -> str:
    return b3hex(b"\x00" + text.encode("utf-8"))


def build_leaf(inp: dict) -> dict:
    check_uuid_v7(inp["id"], "id")
    check_uuid_v7(inp["owner"], "owner")
    assert inp["kind"] in KINDS, inp["kind"]
    check_hex64(inp["salt"], "salt")
    check_time(inp["received"], "received")

    c_hash = b3hex(content_bytes(inp))
    m_canon = metadata_canonical(inp["metadata"])
    m_hash = b3hex(m_canon)
    text = leaf_text(inp["id"], inp["kind"], c_hash, inp["salt"], m_hash, inp["owner"],
                     inp["received"])
    return {
        "input": inp,
        "content_hash": c_hash,
        "metadata_canonical": m_canon.decode("utf-8"),
        "meta_hash": m_hash,
        "leaf_text": text,
        "leaf_hash": leaf_hash(text),
    }


def self_check() -> None:
    # BLAKE3 known answer (official test vector: the empty input).
    assert b3hex(b"") == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    # RFC 8785 section 3.2.3 sorting example (UTF-16 code units, not code points).
    sample = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"}
    keys = list(json.loads(canonical_json(sample).decode("utf-8")).keys())
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"], keys
    # RFC 8785 number serialisation (ECMAScript Number.prototype.toString).
    for value, text in [(1.5, b"1.5"), (1e21, b"1e+21"), (-0.0, b"0"), (1e-7, b"1e-7"),
                        (1.0, b"1"), (100, b"100"), (0.1, b"0.1")]:
        assert canonical_json(value) == text, (value, canonical_json(value))

    merkle.self_check()


# --- Block header


def header_text(f: dict) -> str:
    assert LOG_NAME.match(f["log"]), f["log"]
    for name in ("height", "leaves"):
        assert isinstance(f[name], int) and not isinstance(f[name], bool) and f[name] >= 0
    check_hex64(f["prev"], "prev")
    check_hex64(f["root"], "root")
    check_time(f["sealed"], "sealed")
    if f["height"] == 0:
        assert f["prev"] == ZERO_HASH, "genesis prev must be 64 zeros"
    if f["leaves"] == 0:
        assert f["root"] == ZERO_HASH, "empty block root must be 64 zeros"
    lines = [
        "notarium/block/v1",
        f"log {f['log']}",
        f"height {f['height']}",  # Python's int formatting: decimal, no leading zeros
        f"prev {f['prev']}",
        f"root {f['root']}",
        f"leaves {f['leaves']}",
        f"sealed {f['sealed']}",
    ]
    return "".join(line + "\n" for line in lines)


def build_header(fields: dict) -> dict:
    text = header_text(fields)
    return {"fields": fields, "header_text": text, "block_hash": b3hex(text.encode("utf-8"))}


# --- Inputs

OWNER_A = "019aa6b2-0000-7000-8000-00000000aaaa"
OWNER_B = "019aa6b2-0000-7000-8000-00000000bbbb"
BASE_TIME = _dt.datetime(2026, 11, 21, 8, 0, 0, tzinfo=_dt.timezone.utc)


def leaf_inputs() -> list[dict]:
    specs = [
        # (kind, owner, content key, content, metadata)
        ("document", OWNER_A, "content_utf8", "Hello, Notarium.\n", None),
        ("contract", OWNER_A, "content_utf8",
         "Vertrag über Lieferung — 合同 № 7 — naïve café ✓ 😀\n", {}),
        ("image", OWNER_B, "content_utf8", "",
         {"title": "Empty file", "file_name": "empty.png",
          "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "size": 0, "public": False}),
        ("invoice", OWNER_A, "content_json",
         {"issuer": "HOSP-0042", "invoice_code": "310012345", "invoice_number": "00000123",
          "issued": "2026-11-20", "currency": "CNY", "total": "120.50",
          "patient": {"ref": "P-7f3a", "insured": True},
          "lines": [
              {"item": "Consultation", "qty": 1, "amount": "80.00"},
              {"item": "Blood test", "qty": 2, "amount": "20.25"},
          ]},
         {"a": 1, "B": 2, "é": 3, "😀": 4, "\u20ac": 5, "\ufb01": 6, "1": 7, "": 8,
          "nested": {"z": [], "y": {}, "x": [1, "two", {"b": None, "a": False}]}}),
        ("invoice-void", OWNER_A, "content_utf8",
         "void HOSP-0042/310012345/00000123: issued in error\n",
         {"original": {"issuer": "HOSP-0042", "invoice_code": "310012345",
                       "invoice_number": "00000123"},
          "reason": "issued in error", "flags": [True, False, None]}),
        ("claim", OWNER_B, "content_json",
         {"invoice": {"issuer": "HOSP-0042", "invoice_code": "310012345",
                      "invoice_number": "00000123"},
          "amount": "100.00", "currency": "CNY", "policy": "POL-2026-77"},
         {"integers": [0, -1, 42, 9007199254740991, -9007199254740991],
          "one_and_a_half": 1.5, "big": 1e21, "negative_zero": -0.0, "small": 1e-7,
          "one_point_zero": 1.0, "tenth": 0.1}),
        ("claim-withdrawal", OWNER_B, "content_utf8", "withdrawn by insurer\r\nline two\ttab",
         {"quote": "she said \"no\"", "backslash": "C:\\path\\to\\file",
          "controls": "\x00\x01\x08\t\n\x0c\r\x1f\x7f", "slash": "a/b",
          "unicode": "é €😀 \u2028\u2029 \ufeff"}),
        ("document", OWNER_B, "content_utf8", "second document, same owner class\n",
         {"title": "Minutes", "pages": 3, "tags": ["board", "2026"]}),
    ]
    inputs = []
    for i, (kind, owner, ckey, content, metadata) in enumerate(specs, start=1):
        received = BASE_TIME + _dt.timedelta(milliseconds=101 * (i - 1))
        inputs.append({
            "id": f"019aa6b2-5c00-7000-8000-{i:012d}",
            "kind": kind,
            ckey: content,
            "salt": b3hex(f"salt-{i}".encode("ascii")),
            "metadata": metadata,
            "owner": owner,
            "received": fmt_time(received),
        })
    return inputs


PROOF_CASES = [(1, 0), (2, 1), (3, 2), (4, 1), (5, 4), (6, 5), (7, 4), (7, 6), (8, 0), (8, 5),
               (8, 7)]
LOG = "notarium.test/dev"


# --- Assembly


def build() -> dict:
    self_check()

    leaves = [build_leaf(inp) for inp in leaf_inputs()]
    assert len(leaves) == 8
    assert sorted({l["input"]["kind"] for l in leaves}) == sorted(KINDS)
    assert len({l["input"]["received"] for l in leaves}) == 8
    assert len({l["leaf_hash"] for l in leaves}) == 8
    assert any(l["input"]["metadata"] is None for l in leaves)
    assert any(l["input"]["metadata"] == {} for l in leaves)

    hashes = [bytes.fromhex(l["leaf_hash"]) for l in leaves]
    trees = [{"size": n, "root": mth(hashes[:n]).hex()} for n in range(1, 9)]
    for n in range(1, 9):
        assert trees[n - 1]["root"] == root_by_levels(hashes[:n]).hex()

    proofs = []
    for size, index in PROOF_CASES:
        d = hashes[:size]
        p = path(index, d)
        proofs.append({
            "size": size,
            "index": index,
            "leaf_hash": d[index].hex(),
            "siblings": [s.hex() for s in p],
            "root": mth(d).hex(),
        })

    genesis = build_header({"log": LOG, "height": 0, "prev": ZERO_HASH, "root": ZERO_HASH,
                            "leaves": 0, "sealed": "2026-11-21T08:00:00.500Z"})
    b1 = build_header({"log": LOG, "height": 1, "prev": genesis["block_hash"],
                       "root": trees[7]["root"], "leaves": 8,
                       "sealed": "2026-11-21T08:00:01.000Z"})
    b2 = build_header({"log": LOG, "height": 2, "prev": b1["block_hash"],
                       "root": trees[4]["root"], "leaves": 5,
                       "sealed": "2026-11-21T08:00:01.500Z"})

    doc = {
        "format": "notarium-test-vectors/v1",
        "note": "Generated by tests/vectors/generate.py, an independent Python implementation "
                "of docs/formats.md; the Rust implementation must reproduce every value byte "
                "for byte.",
        "leaves": leaves,
        "trees": trees,
        "proofs": proofs,
        "headers": [genesis, b1, b2],
    }
    verify_document(doc)
    return doc


def verify_document(doc: dict) -> None:
    """Re-check the assembled document from its own contents (fail loudly)."""
    hashes = []
    for l in doc["leaves"]:
        assert leaf_hash(l["leaf_text"]) == l["leaf_hash"]
        assert b3hex(l["metadata_canonical"].encode("utf-8")) == l["meta_hash"]
        lines = l["leaf_text"].split("\n")
        assert len(lines) == 9 and lines[-1] == "" and lines[0] == "notarium/leaf/v1"
        for h in ("content_hash", "meta_hash", "leaf_hash"):
            check_hex64(l[h], h)
        hashes.append(bytes.fromhex(l["leaf_hash"]))
    for t in doc["trees"]:
        assert mth(hashes[:t["size"]]).hex() == t["root"]
    for p in doc["proofs"]:
        ok = verify_proof(bytes.fromhex(p["leaf_hash"]), p["index"], p["size"],
                          [bytes.fromhex(s) for s in p["siblings"]], bytes.fromhex(p["root"]))
        assert ok, f"proof does not verify: size {p['size']} index {p['index']}"
        assert p["root"] == doc["trees"][p["size"] - 1]["root"]
        assert p["leaf_hash"] == doc["leaves"][p["index"]]["leaf_hash"]
    prev = None
    for h in doc["headers"]:
        assert b3hex(h["header_text"].encode("utf-8")) == h["block_hash"]
        assert h["header_text"].count("\n") == 7 and h["header_text"].endswith("\n")
        if prev is not None:
            assert h["fields"]["prev"] == prev["block_hash"]
            assert h["fields"]["height"] == prev["fields"]["height"] + 1
            assert h["fields"]["sealed"] >= prev["fields"]["sealed"]
        prev = h


# Characters written as \uXXXX escapes in v1.json although JSON allows them raw: they are
# invisible or easily altered by editors (DEL, C1 controls, soft hyphen, zero-width marks, line
# and paragraph separators, BOM). Other non-ASCII text is written as UTF-8 for readability.
# These characters only occur inside JSON strings, where the escape denotes the same string.
INVISIBLE = re.compile("[\x7f-\x9f\xad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def render(doc: dict) -> str:
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return INVISIBLE.sub(lambda m: "\\u%04x" % ord(m.group(0)), text)


def main(argv: list[str]) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    outputs = [(os.path.join(here, "v1.json"), render(build())),
               (os.path.join(here, "v2.json"), render(leaf_v2.build()))]
    for _, text in outputs:
        # The rendered file must round-trip to the same inputs (JSON numbers included).
        assert render(json.loads(text)) == text
    if argv[1:] == ["--check"]:
        stale = [path for path, text in outputs if read(path) != text]
        for path in stale:
            print(f"{path} is out of date; run tests/vectors/generate.py", file=sys.stderr)
        if not stale:
            print("v1.json and v2.json are up to date")
        return 1 if stale else 0
    if argv[1:]:
        print("usage: generate.py [--check]", file=sys.stderr)
        return 2
    for path, text in outputs:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {path}")
    return 0


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main(sys.argv))
