#!/usr/bin/env python3
"""verdict.py <console.log> <kunit|ktap> [prefix]

Count the test cases in a UML/QEMU console log and print one line per case
(PASS/FAIL/SKIP <prefix><name>) and then "N passed, M failed[, K skipped]".
Exit status 0 only when nothing failed.

Failures: a `not ok` leaf; results missing from a `1..N` plan; a parent
`not ok` whose children did not fail; a `KTPOOL-HARNESS: FAIL` line printed
by the guest init (`KTPOOL-HARNESS: BEGIN <name>` names the next KTAP
document); no `KTPOOL-HARNESS: DONE` end marker (timeout or crash); and every
kernel report line (BUG:, WARNING:, Oops, lockdep, KASAN, kmemleak, hung
task, panic, ...), except one that a test announced: a line
"KTPOOL-EXPECT: WARNING <text>" (a test about to trigger a WARN_ON for a
caller bug on purpose) lets the next WARNING: line containing <text> pass,
once, or the next ODEBUG: line (the report of debug objects, whose WARNING:
line needs an announcement of its own); an announced WARNING that never
comes is a failure.
Nested KTAP (KUnit indents subtests by 4 spaces) counts leaves only.
"""
import re
import sys

REPORTS = re.compile(
    r"BUG:|WARNING:|Oops|possible circular locking|inconsistent lock state"
    r"|suspicious RCU usage|KASAN|unreferenced object"
    r"|general protection fault|blocked for more than|Kernel panic")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
HEADER = re.compile(r"^(\s*)(?:K?TAP version \d+)\s*$")
PLAN = re.compile(r"^(\s*)1\.\.(\d+)\s*(#.*)?$")
RESULT = re.compile(r"^(\s*)(ok|not ok) (\d+)\b\s*(?:- )?(.*?)\s*(?:#\s*((?i:skip|todo))\b.*)?$")
SUBTEST = re.compile(r"^(\s*)# Subtest: (.*)$")
EXPECT = re.compile(r"KTPOOL-EXPECT: WARNING (.+?)\s*$")
HARNESS = re.compile(r"^KTPOOL-HARNESS: (FAIL|SKIP|DONE|BEGIN)\b\s*(.*)$")


class Block:
    def __init__(self, indent, name=""):
        self.indent, self.name = indent, name
        self.plan, self.count, self.failed, self.children = None, 0, False, False


class Verdict:
    def __init__(self, prefix):
        self.prefix, self.cases, self.stack, self.done = prefix, [], [], False
        self.expected = []  # announced WARNING texts not seen yet

    def add(self, status, name):
        self.cases.append((status, self.prefix + name))

    def finalize(self, blk):
        """Close a KTAP block; returns True if anything in it failed."""
        if blk.plan is not None and blk.count < blk.plan:
            where = blk.name or "KTAP block"
            for n in range(blk.count + 1, blk.plan + 1):
                self.add("FAIL", f"{where}: result {n} of {blk.plan} missing")
            blk.failed = True
        return blk.failed

    def pop_deeper(self, indent):
        """Close blocks nested deeper than indent; (had children, any failed)."""
        children = failed = False
        while self.stack and self.stack[-1].indent > indent:
            blk = self.stack.pop()
            children = children or blk.count > 0 or blk.plan is not None
            failed = self.finalize(blk) or failed
        return children, failed

    def block(self, indent):
        if not self.stack or self.stack[-1].indent < indent:
            self.stack.append(Block(indent))
        return self.stack[-1]

    def path(self, name):
        names = [b.name for b in self.stack if b.name]
        return ".".join(names + [name])

    def line(self, raw):
        line = TIMESTAMP.sub("", raw.replace("\r", "").rstrip("\n"))
        m = EXPECT.search(line)
        if m:
            self.expected.append(m.group(1))
            return
        if REPORTS.search(line):
            hit = next((e for e in self.expected
                        if line.lstrip().startswith(("WARNING:", "ODEBUG:"))
                        and e in line), None)
            if hit is None:
                self.add("FAIL", "kernel report: " + line.strip())
            else:
                self.expected.remove(hit)
                self.add("PASS", "announced WARNING: " + hit)
        m = HARNESS.match(line.strip())
        if m:
            if m.group(1) == "DONE":
                self.done = True
            elif m.group(1) == "BEGIN":  # names the next top-level KTAP document
                self.pop_deeper(-1)
                self.stack.append(Block(0, m.group(2).strip()))
            else:
                self.add(m.group(1), m.group(2))
            return
        m = HEADER.match(line)
        if m:
            ind = len(m.group(1))
            self.pop_deeper(ind)
            top = self.stack[-1] if self.stack else None
            if top and top.indent == ind and (top.count or top.plan is not None):
                self.finalize(self.stack.pop())
                top = None
            if not top or top.indent != ind:
                self.stack.append(Block(ind))
            return
        m = SUBTEST.match(line)
        if m:
            self.pop_deeper(len(m.group(1)))
            self.block(len(m.group(1))).name = m.group(2).strip()
            return
        m = PLAN.match(line)
        if m:
            ind = len(m.group(1))
            self.pop_deeper(ind)
            blk = self.block(ind)
            blk.plan = int(m.group(2))
            if blk.plan == 0 and m.group(3) and "SKIP" in m.group(3).upper():
                self.add("SKIP", blk.name or "KTAP block (skipped)")
            return
        m = RESULT.match(line)
        if not m:
            return
        ind, ok, name, directive = len(m.group(1)), m.group(2) == "ok", m.group(4), m.group(5)
        children, child_failed = self.pop_deeper(ind)
        blk = self.block(ind)
        blk.count += 1
        full = self.path(name or f"result {blk.count}")
        if children:  # a suite/parent result: its leaves were already counted
            if not ok and not child_failed:
                self.add("FAIL", full + " (parent not ok)")
            if not ok:
                blk.failed = True
            return
        if directive:  # SKIP, or TODO (an expected failure)
            self.add("SKIP", full)
        elif ok:
            self.add("PASS", full)
        else:
            self.add("FAIL", full)
            blk.failed = True

    def finish(self):
        self.pop_deeper(-1)
        for e in self.expected:
            self.add("FAIL", "announced WARNING never came: " + e)
        if not self.done:
            self.add("FAIL", "end marker KTPOOL-HARNESS: DONE not reached (timeout or crash)")


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("kunit", "ktap"):
        sys.exit(__doc__)
    v = Verdict(sys.argv[3] if len(sys.argv) > 3 else "")
    with open(sys.argv[1], errors="replace") as f:
        for raw in f:
            v.line(raw)
    v.finish()
    if sys.argv[2] == "kunit" and not any(s != "FAIL" for s, _ in v.cases):
        v.add("FAIL", "no KUnit test case ran")
    for status, name in v.cases:
        print(f"{status} {name}")
    count = {s: sum(1 for c, _ in v.cases if c == s) for s in ("PASS", "FAIL", "SKIP")}
    tail = f", {count['SKIP']} skipped" if count["SKIP"] else ""
    print(f"{count['PASS']} passed, {count['FAIL']} failed{tail}")
    sys.exit(1 if count["FAIL"] else 0)


if __name__ == "__main__":
    main()
