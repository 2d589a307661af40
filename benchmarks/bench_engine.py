"""Engine speed: one profile ranked across the five cities, and the population sweep against the scalar
engine in a loop (the floor), in profile-city evaluations per second; peak memory of the sweep.

    .venv/bin/python -m benchmarks.bench_engine [--profiles 51840] [--scalar 400]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from datetime import date

from dashboard.catalog import load_catalog
from dashboard.engine.evaluate import inputs_from
from dashboard.engine.population import default_grid, grid_columns, sweep, sweep_columns
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import rank_cities


def run(n_profiles: int | None = None, n_scalar: int = 400, repeats: int = 200) -> dict[str, float]:
    settings = Settings(today=date(2026, 11, 23))
    inputs = inputs_from(load_catalog(today=settings.today))
    m = len(inputs.cities)
    p = Profile(age=28, origin="returnee", degree="master", field="ai", graduation_year=2025, annual_salary_cny=300000,
                intent="employment")
    rank_cities(p, inputs, settings, draws=0)  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        rank_cities(p, inputs, settings, draws=0)
        times.append(time.perf_counter() - t0)
    times_s = []
    for _ in range(max(20, repeats // 10)):
        t0 = time.perf_counter()
        rank_cities(p, inputs, settings)  # with 1,000 sensitivity draws
        times_s.append(time.perf_counter() - t0)

    grid = default_grid(settings) if n_profiles is None else default_grid(settings, sample=n_profiles, seed=0)
    scalar = grid[:n_scalar]
    t0 = time.perf_counter()
    for q in scalar:
        rank_cities(q, inputs, settings, draws=0)
    scalar_rate = len(scalar) * m / (time.perf_counter() - t0)

    sweep(grid[:1000], inputs, settings)  # warm up
    cols = grid_columns() if n_profiles is None else None
    run_sweep = (lambda: sweep_columns(cols, inputs, settings)) if cols is not None else (lambda: sweep(grid, inputs, settings))
    tracemalloc.start()
    t0 = time.perf_counter()
    run_sweep()
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    sweeps = []
    for _ in range(5):
        t0 = time.perf_counter()
        run_sweep()
        sweeps.append(time.perf_counter() - t0)
    dt_untraced = statistics.median(sweeps)
    sweep_rate = len(grid) * m / dt_untraced
    t0 = time.perf_counter()
    sweep(grid, inputs, settings)
    with_profiles = time.perf_counter() - t0
    pop = _population_view(inputs, settings)
    return {
        **pop,
        "rank_one_profile_ms_median": statistics.median(times) * 1000,
        "rank_one_profile_with_sensitivity_ms_median": statistics.median(times_s) * 1000,
        "scalar_loop_evals_per_s": scalar_rate,
        "sweep_profiles": len(grid),
        "sweep_evals_per_s": sweep_rate,
        "sweep_vs_scalar_ratio": sweep_rate / scalar_rate,
        "sweep_seconds": dt_untraced,
        "sweep_traced_seconds": dt,
        "sweep_from_profile_objects_seconds": with_profiles,
        "sweep_peak_mb": peak / 1e6,
    }


def _population_view(inputs, settings, repeats: int = 5) -> dict[str, float]:
    """Whom each city wins on the documented population (data/population.yaml): wall and CPU seconds of one
    update (sweep + weighted shares by segment), median of ``repeats``; CPU time is reported beside wall time
    because the machine is shared (load average recorded)."""
    import os

    from dashboard.catalog.population import load_population
    from dashboard.engine import whom as W

    pop, _ = load_population()
    pc = W.population_columns(pop, settings)
    W.whom_wins(pop, inputs, settings, pc=pc)  # warm up
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        W.whom_wins(pop, inputs, settings, pc=pc)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    evals = pc.cols.n * len(inputs.cities)
    return {"population_profiles": pc.cols.n, "population_update_s": statistics.median(wall),
            "population_update_cpu_s": statistics.median(cpu),
            "population_evals_per_s": evals / statistics.median(wall),
            "population_evals_per_cpu_s": evals / statistics.median(cpu),
            "load_average_1min": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profiles", type=int, default=None, help="sample size (default: the full grid)")
    ap.add_argument("--scalar", type=int, default=400, help="profiles for the scalar floor")
    args = ap.parse_args()
    print(json.dumps(run(args.profiles, args.scalar), indent=2))


if __name__ == "__main__":
    main()
