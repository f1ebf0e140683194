#!/usr/bin/env python3
"""Replay of twenty real machines from hwloc's test suite (tests/data/hwloc-machines): each
dump is probed by the real binary with `info --sysroot DIR --format json` and every fact of
its truth.json that conc-probe reports is compared; any wrong fact fails the test.

truth.json holds hwloc's view of the machine; where hwloc applies a policy of its own or the
dump contradicts itself, its `accept` entry names the other defensible answer and why
(docs/topology.md says which rule conc-probe follows where hwloc and lscpu disagree).

Usage: test_hwloc_machines.py /path/to/conc-probe
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("CONC_PROBE_TEST_DATA", HERE.parent / "data"))
DOCS = Path(os.environ.get("CONC_PROBE_DOCS", HERE.parent.parent / "docs"))
BINARY = sys.argv[1] if len(sys.argv) > 1 else "conc-probe"
FAILURES = []


def fail(machine, fact, message):
    FAILURES.append(f"{machine}: {fact}: {message}")
    print(f"FAIL: {machine}: {fact}: {message}")


def cpus(text):
    """The set of CPUs of a cpu-list string ("0-3,8"); None for None."""
    if text is None:
        return None
    out = set()
    for field in str(text).split(","):
        field = field.strip()
        if not field:
            continue
        first, _, last = field.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return out


def alternatives(truth, key):
    return truth.get("accept", {}).get(key, {}).get("alternatives", [])


class Machine:
    def __init__(self, name, truth, report):
        self.name, self.truth, self.report = name, truth, report
        self.cpu = report["cpu"]
        self.topo = report["topology"]
        self.online = cpus(truth["pus"]["online"])

    def expect(self, fact, ok, message):
        if not ok:
            fail(self.name, fact, message)

    def counts(self):
        pus = self.truth["pus"]
        self.expect("logical_cpus", self.topo["logical_cpus"] == pus["online_count"],
                    f"{self.topo['logical_cpus']} vs {pus['online_count']}")
        self.expect("online", cpus(self.cpu["online"]) == self.online,
                    f"{self.cpu['online']!r} vs {pus['online']!r}")
        offline = cpus(self.cpu["offline"])
        want_offline = cpus(pus["offline"])
        self.expect("offline", offline == want_offline or (offline is None and not want_offline),
                    f"{self.cpu['offline']!r} vs {pus['offline']!r}")
        self.expect("usable", self.cpu["usable_cpus"] == pus["allowed_count"],
                    f"usable_cpus {self.cpu['usable_cpus']} vs {pus['allowed_count']}")
        if pus["restricted"]:
            cpuset = cpus(self.cpu["cgroup_cpuset"])
            self.expect("cgroup_cpuset", cpuset is not None and cpuset & self.online == cpus(pus["allowed"]),
                        f"{self.cpu['cgroup_cpuset']!r} vs {pus['allowed']!r}")

    def levels(self):
        for key in ("cores", "packages"):
            want = self.truth[key]
            if want is None:
                continue
            got = self.topo[key]
            self.expect(key, got == want or got in alternatives(self.truth, key), f"{got} vs {want}")

    def threads_per_core(self):
        if self.truth["cores"] is None:
            return
        kinds = self.topo["core_kinds"]
        self.expect("core_kinds", bool(kinds), "none reported")

        def wrong(core_sets):
            cores = [cpus(s) for s in core_sets]
            out = []
            for kind in kinds:
                members = cpus(kind["cpus"])
                want = max((len(core & members) for core in cores if core & members), default=None)
                if kind["threads_per_core"] != want:
                    out.append(f"kind {kind['cpus']}: {kind['threads_per_core']} vs {want}")
            return out

        problems = wrong(self.truth["core_sets"])
        other = self.truth.get("accept", {}).get("threads_per_core")
        if problems and other and not wrong(other["core_sets"]):
            problems = []
        self.expect("threads_per_core", not problems, "; ".join(problems))

    def numa(self):
        nodes = self.topo["numa_nodes"]
        want = {n["os_index"]: cpus(n["cpus"]) & self.online for n in self.truth["numa"]["nodes"]}
        ids = sorted(n["id"] for n in nodes)
        self.expect("numa ids", ids == sorted(want) or ids in alternatives(self.truth, "numa"),
                    f"{ids} vs {sorted(want)}")
        got = {n["id"]: cpus(n["cpus"]) & self.online for n in nodes}
        placed = set().union(*got.values()) if got else set()
        for node, members in want.items():
            if node not in got:
                continue
            if got[node]:
                self.expect(f"numa node{node}", got[node] == members, f"{sorted(got[node])} vs {sorted(members)}")
            else:  # a memory-only node may list no CPUs when they have a home elsewhere
                self.expect(f"numa node{node}", members <= placed, f"no CPUs vs {sorted(members)}")
        if nodes:
            missing = set().union(*want.values()) - placed
            self.expect("numa", not missing, f"CPUs {sorted(missing)} in no node")
            # hwloc's nodes that list CPUs overlap exactly where the kernel lists a CPU in two
            # nodes (hwloc also places memory-only nodes by locality: those are left out)
            truth_sets = [cpus(n["cpus"]) for n in self.truth["numa"]["nodes"]
                          if got.get(n["os_index"])]
            overlap = sum(map(len, truth_sets)) != len(set().union(*truth_sets))
            self.expect("numa_consistent", self.topo["numa_consistent"] is (not overlap),
                        f"{self.topo['numa_consistent']} (nodes overlap: {overlap})")
        else:
            self.expect("numa_consistent", self.topo["numa_consistent"] is None, "set without nodes")

    def caches(self):
        got = {c["name"]: c for c in self.topo["caches"]}
        for name, want in self.truth["caches"].items():
            cache = got.get(name)
            if cache is None:
                fail(self.name, name, "missing")
                continue
            sizes = {int(size): count for size, count in want["sizes"].items() if size != "None"}
            accepted = cache["instances"] in alternatives(self.truth, f"cache:{name}:instances")
            self.expect(f"{name} instances", cache["instances"] == want["instances"] or accepted,
                        f"{cache['instances']} vs {want['instances']}")
            if sizes:
                self.expect(f"{name} size", cache["size_bytes"] in sizes, f"{cache['size_bytes']} vs {sorted(sizes)}")
            if accepted:
                continue
            if want["total_bytes"] is not None:
                self.expect(f"{name} total", cache["total_bytes"] == want["total_bytes"],
                            f"{cache['total_bytes']} vs {want['total_bytes']}")
            if sizes and sum(sizes.values()) == want["instances"]:
                listed = {s["size_bytes"]: s["instances"] for s in cache["sizes"]}
                self.expect(f"{name} sizes", listed == sizes, f"{listed} vs {sizes}")
        for name in got:
            self.expect(name, name in self.truth["caches"], "listed, hwloc has none")

    def identity(self):
        kinds = self.topo["core_kinds"]
        names = {" ".join(str(k["model_name"] or "").split()).lower() for k in kinds}
        midr = {tuple(m) for m in self.truth["midr"]}
        if midr:
            have = {(str(k["midr_implementer"] or "").lower(), str(k["midr_part"] or "").lower()) for k in kinds}
            self.expect("midr", have == midr, f"{sorted(have)} vs {sorted(midr)}")
        else:
            for model in self.truth["models"]:
                self.expect("model", " ".join(model.split()).lower() in names, f"{model!r} not in {sorted(names)}")
        for fm in self.truth["family_model"]:
            for kind in kinds:
                if cpus(kind["cpus"]) & cpus(fm["cpus"]):
                    self.expect("family/model", (str(kind["family"]), str(kind["model"])) == (fm["family"], fm["model"]),
                                f"kind {kind['cpus']}: {kind['family']}/{kind['model']} vs {fm['family']}/{fm['model']}")
        if self.truth["vendors"]:
            vendor = self.report["identity"]["vendor"]
            self.expect("vendor", vendor in self.truth["vendors"], f"{vendor} vs {self.truth['vendors']}")

    def kinds(self):
        if "any" in alternatives(self.truth, "kinds"):
            return
        kinds = self.topo["core_kinds"]
        want = [k for k in self.truth["kinds"] if k["cpus"]]
        covered = set().union(*(cpus(k["cpus"]) for k in want)) if want else set()
        if len(want) >= 2 and covered >= self.online:
            got = {frozenset(cpus(k["cpus"])): k["label"] for k in kinds}
            self.expect("kinds", set(got) == {frozenset(cpus(k["cpus"])) for k in want},
                        f"{[k['cpus'] for k in kinds]} vs {[k['cpus'] for k in want]}")
            levels = sorted({k["efficiency"] for k in want})
            for k in want:
                label = got.get(frozenset(cpus(k["cpus"])))
                if k["efficiency"] == levels[0]:
                    self.expect("kind label", label == "efficiency", f"{k['cpus']}: {label!r} vs 'efficiency'")
                if k["efficiency"] == levels[-1]:
                    self.expect("kind label", label == "performance", f"{k['cpus']}: {label!r} vs 'performance'")
        else:
            models = len(self.truth["midr"]) or len(self.truth["models"]) or 1
            self.expect("kinds", len(kinds) == models, f"{len(kinds)} kinds vs {models}")

    def run(self):
        for part in (self.counts, self.levels, self.threads_per_core, self.numa, self.caches,
                     self.identity, self.kinds):
            part()


def scratch_dir():
    # Thousands of small files: in memory when /dev/shm is there and TMPDIR is not chosen.
    if "TMPDIR" not in os.environ and os.path.isdir("/dev/shm"):
        return tempfile.TemporaryDirectory(dir="/dev/shm")
    return tempfile.TemporaryDirectory()


def main():
    schema = json.loads((DOCS / "schema" / "info.schema.json").read_text())
    validate = jsonschema.Draft202012Validator(schema)
    machines = sorted(p for p in (DATA / "hwloc-machines").iterdir() if (p / "root.tar.gz").exists())
    if len(machines) != 20:
        fail("data", "machines", f"{len(machines)} machines in {DATA / 'hwloc-machines'}, expected 20")
    right = 0
    with scratch_dir() as tmp:
        for machine in machines:
            before = len(FAILURES)
            subprocess.run(["tar", "xzf", str(machine / "root.tar.gz"), "-C", tmp], check=True, timeout=300)
            result = subprocess.run([BINARY, "info", "--sysroot", os.path.join(tmp, machine.name), "--format", "json"],
                                    capture_output=True, text=True, timeout=60)
            if result.returncode != 0:
                fail(machine.name, "exit", f"{result.returncode}: {result.stderr}")
                continue
            report = json.loads(result.stdout)
            for error in list(validate.iter_errors(report))[:3]:
                fail(machine.name, "schema", f"{list(error.path)}: {error.message}")
            truth = json.loads((machine / "truth.json").read_text())
            Machine(machine.name, truth, report).run()
            subprocess.run(["rm", "-rf", os.path.join(tmp, machine.name)], check=True)
            right += len(FAILURES) == before
    print(f"{right}/{len(machines)} machines fully right")
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
