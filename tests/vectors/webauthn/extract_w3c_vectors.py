#!/usr/bin/env python3
"""Writes w3c_webauthn3_sec16.txt from the W3C WebAuthn Level 3 specification source.

The test vectors of WebAuthn Level 3 §16 ("Test Vectors", #sctn-test-vectors) are published
as CDDL examples inside the spec's Bikeshed source, index.bs, in github.com/w3c/webauthn.
This script copies every `name = h'hex'` line of each §16.x example block, unchanged, into
the project's vector file format (tests/crypto/vector_file.h): one case per registration or
authentication example, named "<anchor>.registration" / "<anchor>.authentication", where
<anchor> is the section anchor without its "sctn-test-vectors-" prefix. Comments, base64
renderings and non-hex values are left out; nothing is computed or altered.

Usage: extract_w3c_vectors.py INDEX_BS SOURCE_LABEL > w3c_webauthn3_sec16.txt
"""

import re
import sys


def main():
    path, label = sys.argv[1], sys.argv[2]
    src = open(path, encoding="utf-8").read()
    start = src.index("# Test Vectors # {#sctn-test-vectors}")
    section = src[start:]
    stop = re.search(r"^# (?!Test Vectors)", section[1:], re.M)
    if stop:
        section = section[: stop.start() + 1]
    heads = list(re.finditer(r"^## (.*?) ## \{#sctn-test-vectors-([^}]*)\}", section, re.M))
    out = [
        "# W3C Web Authentication Level 3, section 16 \"Test Vectors\" (#sctn-test-vectors),",
        "# https://www.w3.org/TR/webauthn-3/#sctn-test-vectors and https://w3c.github.io/webauthn/.",
        f"# Copied by tests/vectors/webauthn/extract_w3c_vectors.py from {label}.",
        "# Every hex value is the spec's own, byte for byte; RP ID example.org, origin",
        "# https://example.org, topOrigin https://example.com (spec §16 introduction).",
        "# The vectors are synthetic: HKDF-SHA-256 from IKM 'WebAuthn test vectors', RFC 6979 nonces.",
        "",
    ]
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(section)
        body = section[head.end():end]
        anchor = head.group(2)
        blocks = re.findall(
            r"\[=(registration|authentication) ceremony\|[^\]]*\]:\s*"
            r"<xmp class=\"example\" highlight=\"cddl\">(.*?)</xmp>", body, re.S)
        if not blocks:
            blocks = [("certificate", b) for b in
                      re.findall(r"<xmp class=\"example\" highlight=\"cddl\">(.*?)</xmp>", body, re.S)]
        for kind, text in blocks:
            out.append(f"# §16: {head.group(1)} — {kind}")
            out.append(f"[{anchor}.{kind}]")
            for line in text.splitlines():
                m = re.match(r"^(\w+) = h'([0-9a-f]*)'", line)
                if not m:
                    continue
                name, hexv = m.groups()
                out.append(f"{name} = " + "\n    ".join(
                    [hexv[j:j + 96] for j in range(0, len(hexv), 96)] or [""]))
            out.append("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
