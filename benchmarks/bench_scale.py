"""How the build grows with the number of documents: wall time, time of each step, peak memory.

Run:  python benchmarks/bench_scale.py [--sizes 1,16,64,256,1000] [--mode clone|vary] [--timeout 3600]
                                       [--build-arg=--no-reason ...] [--no-incremental] [--no-libs]
                                       [--json figures.json] [--work DIR]

The project must build 1,000 documents in at most 10 minutes and 4 GB, and rebuild after one edited
document in at most 15 s. For each N this makes a corpus of N documents (benchmarks/corpus.py), runs
`wsis-kg build` on it in a subprocess, and reads the step timings the build prints, whatever the steps
are called. The peak memory is that of the whole process tree (the build and every child: a reasoner
JVM, worker processes), summed from /proc every 0.2 s. Then one document's claim label is edited and
the build run again into the same release folder: the incremental rebuild. Beside the build, the raw
library costs on the same release: pyoxigraph parse and serialisation of its N-Quads, and rdflib's
parse of them, each in a subprocess of its own.

The tables end with a linear fit per step over the sizes (cost per document and fixed cost), the
marginal cost per document between the two smallest and the two largest sizes (a ratio well above 1
means growth worse than linear), and the time the fit projects for 1,000 documents. A build that
exceeds --timeout is stopped and reported as such. This is a benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from wsis_kg.project import MENTIONS_FILE  # noqa: E402

DEFAULT_SIZES = (1, 16, 64, 256, 1000)
TARGET_N = 1000
SAMPLE_EVERY = 0.2  # seconds between two samples of the process tree's memory
# the summary table the build ends with ("    1.62 s  assemble (sources, segment, anchor)"), and the line
# each step prints when it ends ("  assemble: 1.6 s"): the first is preferred, the second is the fallback
_SUMMARY = re.compile(r"^\s+(\d+(?:\.\d+)?) s\s{2,}(\S.*?)\s*$")
_STEP = re.compile(r"^\s+([^\s:\[][^:]*): (\d+(?:\.\d+)?) s\s*$")
_TRIPLES = re.compile(r"(\d+) triples")
_LABEL = re.compile(r'(rdfs:label\s+")((?:[^"\\\n]|\\.)*)(")')


def step_name(label: str) -> str:
    return label.split(" (")[0].strip()


def parse_steps(output: str) -> dict[str, float]:
    """Step -> seconds, from what the build printed; steps added or renamed are picked up as they come."""
    summary: dict[str, float] = {}
    steps: dict[str, float] = {}
    for line in output.splitlines():
        if m := _SUMMARY.match(line):
            name = step_name(m.group(2))
            if name != "total":
                summary[name] = float(m.group(1))
        elif m := _STEP.match(line):
            steps[step_name(m.group(1))] = float(m.group(2))
    return summary or steps


def parse_triples(output: str) -> int | None:
    for line in reversed(output.splitlines()):
        if line.startswith("built ") and (m := _TRIPLES.search(line)):
            return int(m.group(1))
    found = _TRIPLES.findall(output)
    return int(found[-1]) if found else None


def tree_rss(root: int) -> int:
    """Resident memory in bytes of a process and all its descendants (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo += parents.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * page
        except OSError:
            pass
    return total


@dataclass
class Run:
    """One subprocess: how long it took, its peak tree memory, what it printed, how it ended."""

    wall: float
    peak_mb: float | None
    returncode: int | None  # None: stopped at the timeout
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def status(self) -> str:
        if self.returncode is None:
            return "timeout"
        return "ok" if self.returncode == 0 else f"exit {self.returncode}"


def run_measured(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run cmd, sampling the memory of its process tree; stop the whole tree at the timeout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.extend(proc.stdout or []), daemon=True)
    reader.start()
    can_sample = Path("/proc/self/statm").exists()
    peak = 0
    returncode: int | None = None
    try:
        while True:
            if can_sample:
                peak = max(peak, tree_rss(proc.pid))
            try:
                returncode = proc.wait(SAMPLE_EVERY)
                break
            except subprocess.TimeoutExpired:
                if time.perf_counter() - t0 > timeout:
                    break
    finally:  # at the timeout, or when the runner itself is interrupted: no build is left running
        if returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    wall = time.perf_counter() - t0
    reader.join(5)
    return Run(wall, peak / 2**20 if can_sample else None, returncode, "".join(chunks))


def build_env() -> dict[str, str]:
    """The environment of a build: this checkout's package first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    return env


def build_cmd(project: Path, dist: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-c", "import sys; from wsis_kg.cli import main; sys.exit(main())",
            "--project", str(project), "--dist", str(dist), "build", *extra]


def edit_one_document(project: Path, doc_id: str) -> Path:
    """Change one claim's label in one document's curated Turtle: what a curator's edit looks like."""
    folder = project / "graph" / "documents" / doc_id
    for path in sorted(p for p in folder.glob("*.ttl") if p.name != MENTIONS_FILE):
        text = path.read_text(encoding="utf-8")
        m = _LABEL.search(text)
        if m:
            path.write_text(text[:m.end(2)] + " (edited)" + text[m.end(2):], encoding="utf-8")
            return path
    raise corpus.CorpusError(f"{folder}: no claim label to edit")


def lib_costs(release: Path) -> dict[str, float]:
    """Raw library costs on a release's N-Quads, one file or split by document (run in a subprocess of
    its own by the runner)."""
    import pyoxigraph as ox
    from rdflib import Dataset

    from wsis_kg.store import nquads_files

    out: dict[str, float] = {}
    data = b"".join(path.read_bytes() for path in nquads_files(release))
    t = time.perf_counter()
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    out["oxigraph parse"] = time.perf_counter() - t
    out["quads"] = len(quads)
    t = time.perf_counter()
    ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    out["oxigraph serialise"] = time.perf_counter() - t
    del quads
    t = time.perf_counter()
    Dataset().parse(data=data, format="nquads")
    out["rdflib parse"] = time.perf_counter() - t
    return out


@dataclass
class Size:
    n: int
    generate_s: float = 0.0
    status: str = "not run"
    triples: int | None = None
    wall_s: float | None = None
    peak_mb: float | None = None
    steps: dict[str, float] = field(default_factory=dict)
    incremental_status: str = "not run"
    incremental_s: float | None = None
    incremental_peak_mb: float | None = None
    incremental_steps: dict[str, float] = field(default_factory=dict)
    libs_status: str = "not run"
    libs: dict[str, float] = field(default_factory=dict)
    libs_peak_mb: float | None = None


def measure(n: int, args: argparse.Namespace, work: Path) -> Size:
    size = Size(n)
    base = work / f"n{n}"  # dist/ is a link to a staged folder beside it: both go with base
    project, dist = base / "corpus", base / "dist"
    t = time.perf_counter()
    c = corpus.generate(n, project, args.mode, args.templates, args.seed, force=True)
    size.generate_s = time.perf_counter() - t
    print(f"N={n}: corpus of {n} document(s) in {size.generate_s:.1f} s; building ...", flush=True)
    run = run_measured(build_cmd(project, dist, args.build_arg), args.timeout, build_env())
    size.status, size.wall_s, size.peak_mb = run.status(), run.wall, run.peak_mb
    size.steps, size.triples = parse_steps(run.output), parse_triples(run.output)
    if not run.ok:
        print(f"  build {size.status} after {run.wall:.0f} s; its last lines:\n"
              + "\n".join(run.output.splitlines()[-8:]), flush=True)
        return size
    print(f"  built in {run.wall:.1f} s, peak {run.peak_mb or 0:.0f} MB", flush=True)
    if not args.no_incremental:
        edit_one_document(project, c.doc_ids[len(c.doc_ids) // 2])
        inc = run_measured(build_cmd(project, dist, args.build_arg), args.timeout, build_env())
        size.incremental_status, size.incremental_s, size.incremental_peak_mb = inc.status(), inc.wall, inc.peak_mb
        size.incremental_steps = parse_steps(inc.output)
        print(f"  rebuilt after one edit in {inc.wall:.1f} s ({inc.status()})", flush=True)
    if not args.no_libs:
        libs = run_measured([sys.executable, __file__, "--lib-costs", str(dist)], args.timeout,
                            build_env())
        size.libs_status, size.libs_peak_mb = libs.status(), libs.peak_mb
        if libs.ok:
            size.libs = json.loads(libs.output.strip().splitlines()[-1])
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return size


@dataclass
class Fit:
    step: str
    per_doc_s: float  # slope of the least-squares line
    fixed_s: float  # its intercept
    marginal_first: float | None  # cost per added document between the two smallest sizes
    marginal_last: float | None  # ... and between the two largest
    ratio: float | None  # marginal_last / marginal_first: > 1.5 reads as worse than linear
    projected_s: float  # the line at TARGET_N documents

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return "n/a"
        return "worse than linear" if self.ratio > 1.5 else "linear"


def fit(step: str, points: list[tuple[int, float]]) -> Fit | None:
    if len({n for n, _ in points}) < 2:
        return None
    points = sorted(points)
    k = len(points)
    mx, my = sum(n for n, _ in points) / k, sum(t for _, t in points) / k
    sxx = sum((n - mx) ** 2 for n, _ in points)
    slope = sum((n - mx) * (t - my) for n, t in points) / sxx
    intercept = my - slope * mx

    def marginal(a: tuple[int, float], b: tuple[int, float]) -> float:
        return (b[1] - a[1]) / (b[0] - a[0])

    first, last = marginal(points[0], points[1]), marginal(points[-2], points[-1])
    ratio = last / first if k >= 3 and first > 0 else None
    return Fit(step, slope, intercept, first, last if k >= 3 else None, ratio, intercept + slope * TARGET_N)


def fits(sizes: list[Size]) -> list[Fit]:
    done = [s for s in sizes if s.status == "ok" and s.wall_s is not None]
    series: dict[str, list[tuple[int, float]]] = {}
    for s in done:
        for name, secs in s.steps.items():
            series.setdefault(name, []).append((s.n, secs))
        series.setdefault("wall", []).append((s.n, s.wall_s or 0.0))
        if s.peak_mb is not None:
            series.setdefault("peak MB", []).append((s.n, s.peak_mb))
        if s.incremental_s is not None:
            series.setdefault("incremental", []).append((s.n, s.incremental_s))
    return [f for name, pts in series.items() if (f := fit(name, pts)) is not None]


def _cell(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) else f"{value:.{digits}f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "  ".join("-" * w for w in widths), *body])


def report(sizes: list[Size]) -> str:
    steps = list(dict.fromkeys(name for s in sizes for name in s.steps))
    out = ["Build (seconds; peak = resident memory of the build's process tree)"]
    rows = [[str(s.n), s.status, _cell(s.triples), _cell(s.wall_s), *(_cell(s.steps.get(k)) for k in steps),
             _cell(s.peak_mb, 0), _cell(s.incremental_s), s.incremental_status] for s in sizes]
    out.append(table(["N", "status", "triples", "wall", *steps, "peak MB", "incr. wall", "incr."], rows))
    per_doc = [[str(s.n), *(_cell(s.steps[k] / s.n, 3) if k in s.steps else "-" for k in steps),
                _cell((s.wall_s or 0) / s.n, 3)] for s in sizes if s.status == "ok"]
    if per_doc:
        out += ["", "Per document (seconds / N)", table(["N", *steps, "wall"], per_doc)]
    lib_keys = list(dict.fromkeys(k for s in sizes for k in s.libs if k != "quads"))
    libs = [[str(s.n), _cell(int(s.libs["quads"])) if "quads" in s.libs else "-",
             *(_cell(s.libs.get(k), 2) for k in lib_keys), _cell(s.libs_peak_mb, 0), s.libs_status]
            for s in sizes if s.libs_status != "not run"]
    if libs:
        out += ["", "Raw library costs on the release's N-Quads (seconds)",
                table(["N", "quads", *lib_keys, "peak MB", "status"], libs)]
    fitted = fits(sizes)
    if fitted:
        out += ["", f"Linear fit over N (per document, fixed; marginal cost per added document between the "
                    f"smallest and the largest sizes; the line at N={TARGET_N})",
                table(["step", "per doc", "fixed", "marginal first", "marginal last", "ratio", "growth",
                       f"at {TARGET_N}"],
                      [[f.step, _cell(f.per_doc_s, 3), _cell(f.fixed_s, 1), _cell(f.marginal_first, 3),
                        _cell(f.marginal_last, 3), _cell(f.ratio, 2), f.verdict, _cell(f.projected_s, 0)]
                       for f in fitted])]
    return "\n".join(out)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes whole numbers separated by commas, not {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--sizes needs numbers of at least 1, not {text!r}")
    return sorted(set(sizes))


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="numbers of documents, comma-separated (default 1,16,64,256,1000)")
    parser.add_argument("--mode", choices=corpus.MODES, default="clone", help="identical or varied texts")
    parser.add_argument("--templates", type=lambda s: [t for t in s.split(",") if t],
                        default=list(corpus.DEFAULT_TEMPLATES), help="bundled documents to clone, in turn")
    parser.add_argument("--seed", type=int, default=0, help="seed of the varied texts")
    parser.add_argument("--timeout", type=positive, default=3600.0, help="seconds before a run is stopped")
    parser.add_argument("--build-arg", action="append", default=[], metavar="ARG",
                        help="passed to `wsis-kg build` (repeat; e.g. --build-arg=--no-reason)")
    parser.add_argument("--no-incremental", action="store_true", help="skip the rebuild after one edit")
    parser.add_argument("--no-libs", action="store_true", help="skip the raw library costs")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE as JSON")
    parser.add_argument("--work", type=Path, metavar="DIR", help="folder for corpora and releases (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and releases")
    parser.add_argument("--lib-costs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lib_costs:
        print(json.dumps(lib_costs(args.lib_costs)))
        return 0
    if args.json and not args.json.parent.is_dir():
        parser.error(f"--json: folder {args.json.parent} does not exist")
    work = args.work or Path(tempfile.mkdtemp(prefix="wsis-kg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    sizes: list[Size] = []
    try:
        for n in args.sizes:
            sizes.append(measure(n, args, work))
            if sizes[-1].status == "timeout":
                print(f"N={n} exceeded --timeout {args.timeout:.0f} s: larger sizes skipped", flush=True)
                break
    except corpus.CorpusError as exc:
        parser.exit(2, f"bench_scale: {exc}\n")
    except KeyboardInterrupt:
        print("interrupted: figures so far", flush=True)
    finally:
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(report(sizes))
    if args.json:
        figures = {"mode": args.mode, "templates": args.templates, "build_args": args.build_arg,
                   "sizes": [asdict(s) for s in sizes], "fits": [asdict(f) for f in fits(sizes)]}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
