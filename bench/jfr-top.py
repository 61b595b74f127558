#!/usr/bin/env python3
"""Aggregates a JFR recording's execution samples: share per thread group, then per group the
top self frames and the top inclusive frames (methods anywhere in the stack).
Usage: bench/jfr-top.py FILE.jfr [TOP] [FILTER-REGEX-for-inclusive-frames] [SINCE-HH:MM:SS]"""
import collections, re, subprocess, sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
since = sys.argv[4] if len(sys.argv) > 4 else ""
incl_filter = re.compile(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else re.compile(r"dev\.steward|org\.h2\.(mvstore\.MVStore\.commit|command\.dml)|java\.net\.http|org\.kie|org\.drools")
text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                      capture_output=True, text=True, check=True).stdout
samples = []
thread, frames, in_stack, at = None, [], False, ""
for line in text.splitlines():
    s = line.strip()
    if s.startswith("startTime"):
        at = s.split("=", 1)[1].strip()[:8]
    elif s.startswith("sampledThread"):
        m = re.search(r'"([^"]*)"', s)
        thread = m.group(1) if m else "?"
    elif s.startswith("stackTrace = ["):
        in_stack, frames = True, []
    elif in_stack:
        if s == "]" or s.startswith("]"):
            in_stack = False
            if at >= since:
                samples.append((thread, frames))
        elif s and s != "...":
            frames.append(re.sub(r"\s+line:.*", "", s))
group = lambda t: re.sub(r"[-#]?\d+$", "", t or "?")
by_group = collections.Counter(group(t) for t, _ in samples)
n = len(samples)
print(f"{n} samples")
for g, c in by_group.most_common(12):
    print(f"\n== {g}: {c} ({100*c/n:.1f}%)")
    self_c, incl_c = collections.Counter(), collections.Counter()
    for t, fr in samples:
        if group(t) != g or not fr:
            continue
        self_c[fr[0]] += 1
        for f in set(fr):
            if incl_filter.search(f):
                incl_c[f] += 1
    print("  self:")
    for f, k in self_c.most_common(top):
        print(f"    {100*k/c:5.1f}% {f}")
    print("  inclusive:")
    for f, k in incl_c.most_common(top * 2):
        print(f"    {100*k/c:5.1f}% {f}")
