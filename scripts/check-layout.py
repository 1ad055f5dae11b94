#!/usr/bin/env python3
"""check-layout.py - the house rules of the source tree (SPEC §1), checked.

Reads every #include of the program's own sources (not tests/) and checks:
  - libcurl is included only under net/;
  - YAML is parsed (libyaml's parser API) only under rules/;
  - the include graph between top-level folders has no cycle;
  - the extraction core (common, dom, extractor, rules, output) never
    includes net/, so it links without libcurl;
  - output/ never includes rules/, and common/ includes only common/;
  - no file in cli/ is over 500 lines (cli/ parses arguments and prints).
Prints one line per check and "layout: N passed, N failed".
"""
import os
import re
import sys

ROOMS = ["common", "dom", "net", "crawler", "extractor", "rules", "output", "studio", "cli"]
CORE = {"common", "dom", "extractor", "rules", "output"}
CLI_MAX_LINES = 500

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
files = []
for room in ROOMS:
    if not os.path.isdir(room):
        continue
    for dirpath, _, names in os.walk(room):
        files += [os.path.join(dirpath, n) for n in names if n.endswith((".c", ".h"))]

inc_local = re.compile(r'^\s*#\s*include\s+"([a-z]+)/[^"]+"', re.M)
inc_curl = re.compile(r'^\s*#\s*include\s+<curl/', re.M)
yaml_parse = re.compile(r'\byaml_parser_[a-z_]+\s*\(')

edges = {}  # (from, to) -> first file
curl_outside, yaml_outside, long_cli = [], [], []
for f in sorted(files):
    room = f.split(os.sep)[0]
    text = open(f, encoding="utf-8", errors="replace").read()
    for m in inc_local.finditer(text):
        to = m.group(1)
        if to != room and to in ROOMS:
            edges.setdefault((room, to), f)
    if inc_curl.search(text) and room != "net":
        curl_outside.append(f)
    if yaml_parse.search(text) and room != "rules":
        yaml_outside.append(f)
    if room == "cli" and f.endswith(".c"):
        n = text.count("\n")
        if n > CLI_MAX_LINES:
            long_cli.append("%s (%d lines)" % (f, n))

passed = failed = 0


def check(name, bad):
    global passed, failed
    if bad:
        failed += 1
        print("FAIL %s: %s" % (name, "; ".join(bad)))
    else:
        passed += 1
        print("ok   %s" % name)


check("libcurl only under net/", curl_outside)
check("YAML parsed only under rules/", yaml_outside)

# cycles: depth-first search over the room graph
graph = {}
for (a, b) in edges:
    graph.setdefault(a, set()).add(b)
cycles = []
state = {}


def dfs(n, path):
    state[n] = 1
    for m in sorted(graph.get(n, ())):
        if state.get(m) == 1:
            cyc = path[path.index(m):] + [m]
            cycles.append(" -> ".join(cyc) + " (e.g. %s)" % edges[(n, m)])
        elif not state.get(m):
            dfs(m, path + [m])
    state[n] = 2


for r in ROOMS:
    if not state.get(r):
        dfs(r, [r])
check("no include cycle between folders", cycles)
check("the extraction core does not include net/",
      ["%s includes net/" % f for (a, b), f in sorted(edges.items()) if a in CORE and b == "net"])
check("output/ does not include rules/",
      [f for (a, b), f in sorted(edges.items()) if a == "output" and b == "rules"])
check("common/ includes only common/",
      ["%s includes %s/" % (f, b) for (a, b), f in sorted(edges.items()) if a == "common"])
check("no cli/ file over %d lines" % CLI_MAX_LINES, long_cli)

print("room graph: " + ", ".join("%s->%s" % e for e in sorted(edges)))
print("layout: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
