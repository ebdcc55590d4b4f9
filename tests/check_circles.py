#!/usr/bin/python3
"""check_circles: the files of one folder must form a tree of calls.

For each folder of built objects (default build/asan/obj, or the object root
given as the argument), builds the graph "file A uses a function or variable
that file B of the same folder defines" from `nm -P`, and reports every
strongly connected component of more than one file: two files that call
each other (directly or round a longer loop) were split in the wrong place.

Tests, benches, fuzzers and mains are left out: they sit on top of a folder
and nothing calls back into them.

Exit 0 when no folder has a circle, 1 when one has (each is named, with the
symbols that close it), 2 on a usage error (no objects found, nm missing).

    check_circles.py [--src TOP] [OBJ_ROOT]

With --src, an object whose source (TOP/<folder>/<name>.c) is gone is left
out: a build directory keeps the objects of files renamed or merged since.
"""
import os
import subprocess
import sys

SKIP_SUFFIXES = ("_test", "_bench", "_fuzz", "_main")


def symbols(path):
    """(defined, used): the global symbols an object defines and needs."""
    out = subprocess.run(["nm", "-P", path], check=True, capture_output=True,
                         text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            used.add(name)
        elif kind.isupper() or kind in ("v", "w"):
            # weak definitions count too: a file that defines a weak default
            # still provides it to its neighbours
            defined.add(name)
    return defined, used


def folders(root, src=None):
    """{folder (relative to root): [object path, ...]} with objects to check."""
    found = {}
    for dirpath, _dirs, files in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        objs = sorted(os.path.join(dirpath, f) for f in files
                      if f.endswith(".o")
                      and not f[:-2].endswith(SKIP_SUFFIXES)
                      and (src is None or os.path.isfile(
                          os.path.join(src, rel, f[:-2] + ".c"))))
        if objs:
            found[rel] = objs
    return found


def components(nodes, edges):
    """Strongly connected components (Tarjan, iterative), each a list."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                result.append(sorted(comp))
    return result


def check_folder(objs):
    """The circles of one folder: [(files, {(a, b): [symbols]})]."""
    files = {}
    for path in objs:
        files[os.path.basename(path)[:-2] + ".c"] = symbols(path)
    owner = {}
    for name, (defined, _used) in files.items():
        for sym in defined:
            owner.setdefault(sym, name)
    edges = {name: set() for name in files}
    why = {}
    for name, (_defined, used) in files.items():
        for sym in used:
            target = owner.get(sym)
            if target and target != name:
                edges[name].add(target)
                why.setdefault((name, target), []).append(sym)
    circles = []
    for comp in components(sorted(files), edges):
        if len(comp) > 1:
            members = set(comp)
            inner = {k: sorted(v) for k, v in why.items()
                     if k[0] in members and k[1] in members}
            circles.append((comp, inner))
    return circles


def main(argv):
    args, src = argv[1:], None
    if len(args) >= 2 and args[0] == "--src":
        src, args = args[1], args[2:]
    root = args[0] if args else "build/asan/obj"
    if len(args) > 1 or not os.path.isdir(root):
        print(f"usage: {argv[0]} [--src TOP] [OBJ_ROOT]  (no directory {root})",
              file=sys.stderr)
        return 2
    found = folders(root, src)
    if not found:
        print(f"check_circles: no objects under {root}", file=sys.stderr)
        return 2
    bad = 0
    for folder in sorted(found):
        for comp, inner in check_folder(found[folder]):
            bad += 1
            print(f"folder {folder}: {' <-> '.join(comp)}")
            for (a, b), syms in sorted(inner.items()):
                shown = ", ".join(syms[:4]) + (", ..." if len(syms) > 4 else "")
                print(f"    {a} -> {b}: {shown}")
    if bad:
        print(f"check_circles: {bad} circle(s) in {root}")
        return 1
    print(f"check_circles: {len(found)} folders, no circles")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"check_circles: {err}", file=sys.stderr)
        sys.exit(2)
