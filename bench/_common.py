"""Shared helpers of the benchmark scripts (SPEC §9): statistics and the verdict line.

Not a test: the scripts report figures and always exit 0.
"""
from __future__ import annotations

import math
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/, not the repo, on sys.path
    sys.path.insert(0, str(ROOT))


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "median": statistics.median(ms),
        "p95": percentile(ms, 95),
        "min": min(ms),
        "max": max(ms),
    }


def verdict(name: str, samples_s: list[float], budget_ms: float) -> str:
    """One line: the measure, median / p95 / max in ms; OK when p95 is within the budget.

    A max above the budget (one slow sample, e.g. a full garbage collection) is
    flagged on the line without turning it OVER BUDGET.
    """
    s = summary_ms(samples_s)
    state = "OK" if s["p95"] <= budget_ms else "OVER BUDGET"
    outlier = "; max over budget" if s["p95"] <= budget_ms < s["max"] else ""
    return (f"{state:<11} {name}: median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms, "
            f"max {s['max']:.1f} ms (n={s['n']}, budget {budget_ms:g} ms{outlier})")


def machine() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
