"""Speed and memory of the suite against its targets (issue 5), measured side by side in one run.

    .venv/bin/python benchmarks/run.py              # with the test suite timed: about 25 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --no-tests   # without it

Not part of the default test command. Every figure is a ratio of two things measured in this run on
this machine, so a slower or busier machine shifts both sides alike (other processes competing for
the cores still add noise: the load average is printed first). Prints one line per target:

1. suite / floor: ``estimates run --force`` with the baseline parameters (kernels, papermill, the
   notebooks in parallel, the briefing), against the same notebook code run once in one plain IPython
   process with no kernels (``benchmarks/floor.py``), both as fresh processes. Target: <= 2x.
2. Monte Carlo engine / hand-written numpy: :func:`estimates.models.attrition.assessment.project_effective` (chunked,
   exact counts by ``bincount``) against a straightforward numpy loop over days holding every path,
   for the same model and the same random draws. Target: >= 0.8x the throughput.
3. sweep, 2 workers / 1 worker: the same scenarios on a LocalCluster of 2 and of 1 worker processes
   (start-up excluded, then included). Target: >= 1.8x.
4. memory: peak RSS of the attrition model (``attrition.assess``) at 10^6 and 10^7 draws, each in
   its own process.
5. squigglepy / numpy: one five-variable model written idiomatically in squigglepy (a function
   sampled n times), with squigglepy's vectorised samplers, and in numpy.
6. re-running while you think (issue 15), each against a trivial one-cell notebook run through
   papermill in this run: the suite with the cache cleared (target <= 4x), the compute floor
   (<= 4x), a re-run after ``-p ship_count 2`` where only resupply runs again (<= 2x); peak memory
   of every model that draws at 10^7 draws (< 512 MiB); and the test suite's wall time (< 5 min).
6. backtest / ten suite runs: the bundled case backtested weekly over 1 March - 15 May 2022 (issue 17,
   target <= 1x), and the same backtest again from its cache.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ESTIMATES = str(BIN / "estimates")


def line(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("  [meets target]" if ok else "  [MISSES target]")
    print(f"{name:<44} {value}{'  target ' + target if target else ''}{verdict}", flush=True)


def wall(command: list[str], **kwargs) -> float:
    tick = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - tick


# --- 1. the whole suite against the compute floor ---------------------------------------------------

def suite_vs_floor(tmp: Path) -> dict:
    from estimates.parameters.schema import with_case

    params = with_case({})  # the baseline: the bundled case, the full Monte Carlo profile
    root = tmp / "reports"
    wall([ESTIMATES, "run", "--out", str(root)])  # warm the disk cache and .pyc files; not timed
    suite = wall([ESTIMATES, "run", "--force", "--out", str(root)])
    run_dir = (root / "latest").resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    (tmp / "params.json").write_text(json.dumps(params.model_dump(mode="json")))
    (tmp / "floor").mkdir()
    floor = wall([sys.executable, str(HERE / "floor.py"), str(tmp / "params.json"), str(run_dir / "manifest.json"),
                  str(tmp / "floor"), str(tmp / "floor.json")])
    inside = json.loads((tmp / "floor.json").read_text())
    same = inside["results"] == json.loads((run_dir / "results.json").read_text())
    parts = ", ".join(f"{n['name']} {n['duration_s']:.1f} s" for n in manifest["notebooks"])
    line("suite (estimates run --force, baseline)", f"{suite:.1f} s (notebooks at once: {parts}; jobs {manifest['jobs']})")
    floor_parts = ", ".join(f"{k} {v:.1f} s" for k, v in inside["parts"].items())
    line("compute floor (one IPython process)", f"{floor:.1f} s ({floor_parts}); same results.json: {same}")
    line("suite / floor", f"{suite / floor:.2f}x", "<= 2x", suite / floor <= 2.0)
    return {"suite": suite, "floor": floor, "root": root}


# --- 2. the Monte Carlo engine against hand-written numpy -----------------------------------------

def _inputs(n: int):
    rng = np.random.default_rng(20220406)
    rate = rng.beta(29.5, 96.5, size=n)
    return np.full(n, 96, dtype=np.int64), np.full(n, 29, dtype=np.int64), rate


def _engine(n: int) -> float:
    from estimates.models.attrition.assessment import project_effective

    effective, ineffective, rate = _inputs(n)
    tick = time.perf_counter()
    projection = project_effective(effective, ineffective, rate, as_of_day=42, horizon_days=56,
                                   threshold=62.5, rng=np.random.default_rng(1))
    projection.quantiles(), projection.mean(), projection.first_passage()
    return time.perf_counter() - tick


def _numpy(n: int) -> float:
    """The same model as one would write it by hand: every path kept, quantiles at the end."""
    effective, _, rate = _inputs(n)
    rng = np.random.default_rng(1)
    tick = time.perf_counter()
    days = np.arange(42, 42 + 57)
    growth = np.diff(days / 42.0)
    h0 = -np.log1p(-rate)
    paths = np.empty((days.size, n), dtype=np.int64)
    alive = effective.copy()
    paths[0] = alive
    crossed = alive < 62.5
    crossed_by_day = [crossed.sum()]
    for i, g in enumerate(growth, start=1):
        alive = alive - rng.binomial(alive, -np.expm1(-h0 * g))
        paths[i] = alive
        crossed |= alive < 62.5
        crossed_by_day.append(crossed.sum())
    np.quantile(paths, [0.05, 0.25, 0.5, 0.75, 0.95], axis=1, method="inverted_cdf"), paths.mean(axis=1)
    return time.perf_counter() - tick


def engine_vs_numpy() -> None:
    n = 400_000
    engine = min(_engine(n) for _ in range(3))
    hand = min(_numpy(n) for _ in range(3))
    line("attrition projection, engine", f"{n / engine / 1e6:.2f} M paths/s ({n:,} paths x 56 days)")
    line("attrition projection, hand-written numpy", f"{n / hand / 1e6:.2f} M paths/s")
    line("engine / numpy throughput", f"{hand / engine:.2f}x", ">= 0.8x", hand / engine >= 0.8)


# --- 3. a sweep on 2 workers against 1 ------------------------------------------------------------

def _sweep(workers: int, grid, out: Path) -> tuple[float, float]:
    from dask.distributed import Client, LocalCluster

    from estimates.sweep import scenarios as sweep

    tick = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           host="127.0.0.1")
    client = Client(cluster)
    # Start-up includes each worker importing the model (what the first scenario would pay).
    client.run(lambda: __import__("estimates.sweep.scenarios").sweep.scenarios.scenario_row(grid.values(0), grid.models) and None)
    started = time.perf_counter() - tick
    times = []
    for _ in range(2):  # the faster of two passes: less exposed to other load on the machine
        tick = time.perf_counter()
        rows, failure = sweep._compute(client, grid, out, reports=False, progress=False)
        times.append(time.perf_counter() - tick)
        assert failure is None, failure
    compute = min(times)
    client.close()
    cluster.close()
    return started, compute


def sweep_workers(tmp: Path) -> None:
    from estimates.sweep import scenarios as sweep

    path = tmp / "grid.yaml"
    path.write_text("models: [attrition]\nn_samples: 4000\nunits_ineffective: [22, 24, 26, 28, 30, 32, 34, 36]\n"
                    "reconstitution_per_week: [0, 1.5, 3]\n")
    grid = sweep.load_grid(path)
    start1, one = _sweep(1, grid, tmp)
    start2, two = _sweep(2, grid, tmp)
    n = len(grid.scenarios)
    line("sweep, 1 worker", f"{one:.1f} s for {n} scenarios ({n / one:.2f}/s); start-up {start1:.1f} s")
    line("sweep, 2 workers", f"{two:.1f} s for {n} scenarios ({n / two:.2f}/s); start-up {start2:.1f} s")
    line("sweep speed-up, 2 workers / 1", f"{one / two:.2f}x", ">= 1.8x", one / two >= 1.8)
    line("  the same with cluster start-up", f"{(start1 + one) / (start2 + two):.2f}x")


# --- 4. memory as draws grow ------------------------------------------------------------------------

# Peak RSS from /proc/self/status (VmHWM, KiB): ru_maxrss would carry over the parent's peak on Linux.
MEMORY = """
import sys, time
def peak():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
from estimates.parameters.schema import validate
from estimates.registry import MODELS
p = validate({}).model_copy(update={"n_samples": int(sys.argv[1])})
model = MODELS["attrition"]
data = model.load(p)
before = peak()
tick = time.perf_counter()
model.assess(p, data)
print(time.perf_counter() - tick, before, peak())
"""


# The same for the resupply model: attrition once at its default draws, then the transfers Monte
# Carlo at n draws (chunked; quantiles from a fixed subsample, see estimates.models.resupply.capability).
MEMORY_RESUPPLY = """
import dataclasses, sys, time
def peak():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
from estimates.core.randomness import model_rng
from estimates.models.resupply import assessment as resupply
from estimates.models.resupply.simulation import simulate
from estimates.parameters.schema import validate
p = validate({})
model = resupply.resupply_model(p, resupply.load(p))
model = dataclasses.replace(model, params=p.model_copy(update={"n_samples": int(sys.argv[1])}))
before = peak()
tick = time.perf_counter()
simulate(model, model_rng(p.seed, "resupply"))
print(time.perf_counter() - tick, before, peak())
"""


def memory() -> None:
    peaks = {}
    for n in (10**6, 10**7):
        done = subprocess.run([sys.executable, "-c", MEMORY, str(n)], capture_output=True, text=True, check=True)
        seconds, before, peak = (float(x) for x in done.stdout.split())
        peaks[n] = peak / 1024
        line(f"attrition.assess, {n:.0e} draws", f"peak RSS {peak / 1024:.0f} MiB (after imports {before / 1024:.0f} MiB), "
             f"{seconds:.1f} s")
    per_draw = (peaks[10**7] - peaks[10**6]) * 2**20 / 9e6
    line("  growth per draw", f"{per_draw:.0f} bytes (draws are made in chunks of 50,000; counts cover every "
         "draw)", "10^7 draws < 512 MiB", peaks[10**7] < 512)
    for n in (10**6, 10**7):
        done = subprocess.run([sys.executable, "-c", MEMORY_RESUPPLY, str(n)], capture_output=True, text=True,
                              check=True)
        seconds, before, peak = (float(x) for x in done.stdout.split())
        line(f"resupply simulate, {n:.0e} draws", f"peak RSS {peak / 1024:.0f} MiB (after imports "
             f"{before / 1024:.0f} MiB), {seconds:.1f} s", "10^7 draws < 1 GiB" if n == 10**7 else "",
             peak / 1024 < 1024 if n == 10**7 else None)


# --- 5. squigglepy against numpy ----------------------------------------------------------------------

def squiggle_vs_numpy() -> None:
    """P(effective BTGs after 56 more days < threshold) from five uncertain inputs."""
    try:
        import squigglepy as sq
    except ImportError:
        line("squigglepy", "not installed (pip install -e '.[bench]'); skipped")
        return
    import math

    from scipy import stats

    p, c, t, r, s = sq.beta(29.5, 96.5), sq.norm(120, 130), sq.lognorm(0.8, 1.25), sq.lognorm(0.2, 2.0), sq.uniform(0.4, 0.6)

    def model():
        pp, cc, tt, rr, ss = ~p, ~c, ~t, ~r, ~s
        effective = cc * (1 - pp) * math.exp(math.log1p(-pp) / 42 * tt * 56) + rr * 8
        return effective < ss * cc

    sq.set_seed(1)
    n_fn = 20_000
    tick = time.perf_counter()
    fn = np.mean(sq.sample(model, n=n_fn))
    fn_rate = n_fn / (time.perf_counter() - tick)

    n = 1_000_000
    tick = time.perf_counter()
    pp, cc, tt, rr, ss = (sq.sample(d, n=n) for d in (p, c, t, r, s))
    vec = np.mean(cc * (1 - pp) * np.exp(np.log1p(-pp) / 42 * tt * 56) + rr * 8 < ss * cc)
    vec_rate = n / (time.perf_counter() - tick)

    z = stats.norm.ppf(0.95)
    rng = np.random.default_rng(1)
    tick = time.perf_counter()
    pp = rng.beta(29.5, 96.5, n)
    cc = rng.normal(125.0, 5.0 / z, n)
    tt = np.exp(rng.normal(0.5 * math.log(0.8 * 1.25), math.log(1.25 / 0.8) / (2 * z), n))
    rr = np.exp(rng.normal(0.5 * math.log(0.2 * 2.0), math.log(2.0 / 0.2) / (2 * z), n))
    ss = rng.uniform(0.4, 0.6, n)
    ours = np.mean(cc * (1 - pp) * np.exp(np.log1p(-pp) / 42 * tt * 56) + rr * 8 < ss * cc)
    np_rate = n / (time.perf_counter() - tick)
    line("five-variable model, numpy", f"{np_rate / 1e6:.1f} M samples/s, P = {ours:.3f}")
    line("  squigglepy, vectorised samplers", f"{vec_rate / 1e6:.1f} M samples/s, P = {vec:.3f}  "
         f"(numpy / squigglepy {np_rate / vec_rate:.1f}x)")
    line("  squigglepy, model function (idiomatic)", f"{fn_rate / 1e3:.1f} k samples/s, P = {fn:.3f}  "
         f"(numpy / squigglepy {np_rate / fn_rate:.0f}x)")


# --- 6. the re-run targets against a trivial notebook (issue 15) ----------------------------------------

TRIVIAL = """
import sys, time, nbformat, papermill
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
nb.metadata["kernelspec"] = {"name": sys.argv[3], "display_name": "Python 3 (ipykernel)", "language": "python"}
nbformat.write(nb, sys.argv[1])
tick = time.perf_counter()
papermill.execute_notebook(sys.argv[1], sys.argv[2], kernel_name=sys.argv[3], progress_bar=False)
print(time.perf_counter() - tick)
"""

# Peak RSS of one model's assess at n draws, in a process of its own.
MEMORY_MODEL = """
import sys, time
def peak():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
from estimates.parameters.schema import with_case
from estimates.registry import MODELS
model = MODELS[sys.argv[1]]
# 10^7 is above what the parameter allows (2 x 10^6): set past validation, as only a benchmark may.
p = with_case({}).model_copy(update={"n_samples": int(sys.argv[2])})
data = model.load(p)
before = peak()
tick = time.perf_counter()
model.assess(p, data)
print(time.perf_counter() - tick, before, peak())
"""


def trivial_papermill(tmp: Path) -> float:
    """A one-cell notebook through papermill, as a fresh process: the floor a notebook run cannot beat."""
    from estimates.run.execute import KERNEL

    times = []
    for i in range(3):
        tick = time.perf_counter()
        subprocess.run([sys.executable, "-c", TRIVIAL, str(tmp / f"one{i}.ipynb"), str(tmp / f"one{i}-out.ipynb"),
                        KERNEL], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - tick)
    trivial = sorted(times)[1]
    line("trivial one-cell notebook through papermill", f"{trivial:.2f} s (median of 3, fresh processes)")
    return trivial


def rerun_targets(tmp: Path, suite: dict, *, with_tests: bool) -> None:
    trivial = trivial_papermill(tmp)
    ratio = suite["suite"] / trivial
    line("suite --force / trivial notebook", f"{ratio:.1f}x", "<= 4x", ratio <= 4)
    ratio = suite["floor"] / trivial
    line("compute floor / trivial notebook", f"{ratio:.1f}x", "<= 4x", ratio <= 4)
    ship = wall([ESTIMATES, "run", "--out", str(suite["root"]), "-p", "ship_count", "2"])
    manifest = json.loads(((suite["root"] / "latest").resolve() / "manifest.json").read_text())
    executed = [n["name"] for n in manifest["notebooks"] if n["status"] == "succeeded"]
    line("re-run after -p ship_count 2", f"{ship:.1f} s (executed: {', '.join(executed) or 'none'})")
    line("  / trivial notebook", f"{ship / trivial:.1f}x", "<= 2x", ship / trivial <= 2)
    from estimates.registry import MODELS

    for name, model in MODELS.items():
        if not model.random:
            continue
        done = subprocess.run([sys.executable, "-c", MEMORY_MODEL, name, str(10**7)], capture_output=True, text=True)
        if done.returncode != 0:
            line(f"{name}.assess, 1e+07 draws", f"failed: {done.stderr.strip().splitlines()[-1:]}", "< 512 MiB", False)
            continue
        seconds, before, peak = (float(x) for x in done.stdout.split())
        line(f"{name}.assess, 1e+07 draws", f"peak RSS {peak / 1024:.0f} MiB (after imports {before / 1024:.0f} MiB), "
             f"{seconds:.1f} s", "< 512 MiB", peak / 1024 < 512)
    if with_tests:
        project = HERE.parent
        tick = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                              capture_output=True, text=True)
        took = time.perf_counter() - tick
        summary = (done.stdout.strip().splitlines() or ["no output"])[-1]
        line("test suite (python -m pytest, as make test)", f"{took / 60:.1f} min ({summary})", "< 5 min",
             took < 300 and done.returncode == 0)


def backtest_vs_suite(tmp: Path, suite: dict) -> None:
    """Issue 17: the bundled case backtested weekly from 1 March to 15 May 2022 (eleven cut-offs,
    full profile) within the time of ten suite runs measured here; then again, every cut-off from
    the cache."""
    root = tmp / "backtest"
    command = [ESTIMATES, "backtest", "--out", str(root), "--from", "2022-03-01", "--to", "2022-05-15", "--every", "7d"]
    first = wall(command)
    ratio = first / (10 * suite["suite"])
    line("backtest 1 Mar-15 May 2022, weekly (11 cut-offs)", f"{first:.1f} s")
    line("  / ten suite runs (estimates run --force)", f"{ratio:.2f}x", "<= 1x", ratio <= 1)
    again = wall(command)
    line("  again, from the cache", f"{again:.1f} s ({again / first:.2f}x the first)")


def main() -> None:
    tick = time.perf_counter()
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    print(f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}, numpy {np.__version__}; "
          f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="estimates-bench-") as folder:
        tmp = Path(folder)
        suite = suite_vs_floor(tmp)
        engine_vs_numpy()
        sweep_workers(tmp)
        memory()
        squiggle_vs_numpy()
        backtest_vs_suite(tmp, suite)
        rerun_targets(tmp, suite, with_tests="--no-tests" not in sys.argv)
    print(f"total {time.perf_counter() - tick:.0f} s; load average at the end {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
