"""Summaries over seeds: one seed's difference is noise, so every comparison reports a spread."""

from __future__ import annotations

import numpy as np


def mean_std(values) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; 0 for a single value)."""
    values = np.asarray(values, dtype=np.float64)
    std = values.std(ddof=1) if len(values) > 1 else 0.0
    return float(values.mean()), float(std)


def verdict(gains) -> tuple[float, float, str]:
    """(mean gain, its spread over seeds, helped / hurt / unclear): a rule of thumb, not a test.

    `gains` are per-seed differences (same seed = same data and initial weights), so the
    spread is that of the paired difference, not of either model alone.
    """
    gain, spread = mean_std(gains)
    if len(gains) < 2:
        return gain, spread, "unclear"  # one seed has no spread to compare against
    if gain > spread:
        return gain, spread, "helped"
    if gain < -spread:
        return gain, spread, "hurt"
    return gain, spread, "unclear"
