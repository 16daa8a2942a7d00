"""Merkle tree of the test vectors, RFC 6962 style, and an independent level-by-level check
(rs_merkle's "promote" rule): the tree half of generate.py."""

from __future__ import annotations

import blake3


def b3(data: bytes) -> bytes:
    return blake3.blake3(data).digest()


# --------------------------------------------------------------------------------------------
# Merkle tree, RFC 6962 style (recursive definition)
# --------------------------------------------------------------------------------------------


def node(left: bytes, right: bytes) -> bytes:
    return b3(b"\x01" + left + right)


def split_point(n: int) -> int:
    """Largest power of two strictly less than n (n >= 2)."""
    assert n >= 2
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash over already-hashed leaves."""
    n = len(leaves)
    if n == 0:
        raise AssertionError("the root of an empty tree is not defined here (header uses zeros)")
    if n == 1:
        return leaves[0]
    k = split_point(n)
    return node(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 6962 audit path PATH(m, D[n]), leaf level first."""
    n = len(leaves)
    assert 0 <= m < n
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


# --------------------------------------------------------------------------------------------
# Independent checks: level-by-level tree and proof walk (rs_merkle's "promote" rule)
# --------------------------------------------------------------------------------------------


def root_by_levels(leaves: list[bytes]) -> bytes:
    """Bottom-up: pair neighbours; a last node without a right sibling is promoted unchanged."""
    level = list(leaves)
    assert level
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            if i + 1 < len(level):
                nxt.append(node(level[i], level[i + 1]))
            else:
                nxt.append(level[i])
        level = nxt
    return level[0]


def verify_proof(leaf: bytes, index: int, size: int, siblings: list[bytes], root: bytes) -> bool:
    """Walk up level by level; every sibling must be consumed, the result must equal root."""
    if not (0 <= index < size):
        return False
    h = leaf
    i = index
    w = size
    used = 0
    while w > 1:
        if i == w - 1 and w % 2 == 1:
            pass  # last node of an odd-width level: promoted, no sibling consumed
        else:
            if used >= len(siblings):
                return False
            s = siblings[used]
            used += 1
            h = node(h, s) if i % 2 == 0 else node(s, h)
        i //= 2
        w = (w + 1) // 2
    return used == len(siblings) and h == root


def self_check() -> None:
    # Tree and proofs: for sizes 1..64, the RFC 6962 root equals the level-by-level root, and
    # every RFC 6962 audit path verifies with the walk; tampered proofs must fail.
    all_leaves = [b3(b"self-check leaf %d" % i) for i in range(64)]
    for n in range(1, 65):
        d = all_leaves[:n]
        r = mth(d)
        assert r == root_by_levels(d), f"root mismatch at size {n}"
        for m in range(n):
            p = path(m, d)
            assert verify_proof(d[m], m, n, p, r), f"proof fails: size {n} index {m}"
            assert not verify_proof(d[m], m, n, p + [r], r), "extra sibling accepted"
            if p:
                assert not verify_proof(d[m], m, n, p[:-1], r), "missing sibling accepted"
                bad = list(p)
                bad[0] = bytes([bad[0][0] ^ 1]) + bad[0][1:]
                assert not verify_proof(d[m], m, n, bad, r), "tampered sibling accepted"
            if n > 1:
                assert not verify_proof(d[m], (m + 1) % n, n, p, r), "wrong index accepted"
