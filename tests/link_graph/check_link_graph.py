#!/usr/bin/env python3
"""Checks the library layers of the build tree (docs/architecture.md).

Reads the link graph written at configure time (tests/link_graph/CMakeLists.txt: one line
per target, "name<TAB>type<TAB>library<TAB>library..."), follows every library a target
links, directly or through others, and fails if
  - hippocrate_server or hippocrate_messaging reach hippocrate_e2ee or a hippocrate_client*
    library (the server handles ciphertext as opaque bytes: it never links the client side);
  - a hippocrate_client* library reaches hippocrate_server.
Each violation is printed with the chain of links that causes it.

Usage: check_link_graph.py LINK_GRAPH.tsv
"""

import re
import sys

SERVER_LIBRARIES = ("hippocrate_server", "hippocrate_messaging")


def is_client_library(name):
    return name.startswith("hippocrate_client")


# Target names inside a link item: plain names, and those inside generator expressions
# such as $<LINK_ONLY:hippocrate_e2ee> or $<$<CONFIG:Debug>:x>.
NAME = re.compile(r"[A-Za-z0-9_.+-]+(?:::[A-Za-z0-9_.+-]+)*")


def names_in(item):
    if "$<" not in item:
        return [item]
    inner = re.sub(r"\$<[A-Z_]+(?::|>)", " ", item)
    return NAME.findall(inner.replace(">", " ").replace(",", " "))


def read_graph(path):
    graph = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if not fields[0]:
                continue
            links = set()
            for item in fields[2:]:
                links.update(n for n in names_in(item) if n)
            graph[fields[0]] = sorted(links)
    return graph


def chains_from(graph, start):
    """Every target `start` reaches, with the first chain of links found to it."""
    chains = {start: [start]}
    pending = [start]
    while pending:
        target = pending.pop(0)
        for dep in graph.get(target, ()):
            if dep not in chains:
                chains[dep] = chains[target] + [dep]
                pending.append(dep)
    return chains


def violations(graph):
    found = []
    for server in SERVER_LIBRARIES:
        for dep, chain in sorted(chains_from(graph, server).items()):
            if dep == "hippocrate_e2ee" or is_client_library(dep):
                found.append((server, dep, chain))
    for client in sorted(t for t in graph if is_client_library(t)):
        chain = chains_from(graph, client).get("hippocrate_server")
        if chain:
            found.append((client, "hippocrate_server", chain))
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    graph = read_graph(argv[1])
    missing = [t for t in SERVER_LIBRARIES + ("hippocrate_e2ee", "hippocrate_client")
               if t not in graph]
    if missing:
        # A renamed library must not make the check pass by checking nothing.
        print("link graph: no target named " + ", ".join(missing) + " in " + argv[1])
        return 1
    found = violations(graph)
    for library, dep, chain in found:
        print(f"link graph: {library} must not link {dep}: " + " -> ".join(chain))
    if found:
        return 1
    clients = sum(1 for t in graph if is_client_library(t))
    print(f"link graph: {len(graph)} targets; the server libraries reach neither "
          f"hippocrate_e2ee nor a client library, and the {clients} client libraries "
          "do not reach hippocrate_server")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
