"""Divergence: the statements that divide the room (spread and bimodality).

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coopkit.analysis.core import (
    _PERSON_LEVEL,
    EMPTY,
    HIGH_EXTREME,
    LOW_EXTREME,
    MASKED,
    OK,
    _first_rows,
    _suppress,
    anonymity_k,
    counted,
    hidden_groups,
    mask,
    select,
)
from coopkit.definitions.questionnaire import Questionnaire


def divergence(frame: pd.DataFrame, questionnaire: Questionnaire | None = None, *,
               by: str = "group", lang: str | None = None,
               limit: int | None = None) -> pd.DataFrame:
    """How split the answers are, item by item: the agenda for discussion.

    For each scored item (answers of the whole frame, one per respondent):

    - ``dispersion``: standard deviation of the scores (ddof=0), 0..0.5;
    - ``polarisation``: ``2 * min(low, high)`` where ``low`` / ``high`` are the shares of
      answers in the bottom and top quarters of the scale (score <= 0.25, >= 0.75): 0
      when nobody or only one side sits at an extreme, 1 when half the room is at each
      extreme;
    - ``bimodality``: Sarle's bimodality coefficient ``(g^2 + 1) / (kappa + 3 (n-1)^2 /
      ((n-2)(n-3)))`` with the sample skewness g and excess kurtosis kappa (informative;
      above 5/9 ≈ 0.555 hints at two camps; NaN under 4 answers or without variance);
    - ``group_gap``: max minus min of the ``by`` groups' mean scores, among the groups
      the item's breakdown by group shows (at least k respondents, not hidden with a
      small group: see :func:`~.core.mask`; NaN with fewer than 2 such groups);
    - ``index = (2 * dispersion + polarisation + group_gap) / 3`` (a missing gap counts
      0), 0..1: the order of the agenda, most divisive first.

    Items answered by fewer than k people are masked (and listed last). Validated
    answers only (:func:`~.core.counted`). With a
    questionnaire, only its answers are used, every scored item is listed and
    ``label`` holds the item's text.
    Columns: ``item_id``, [``label``], ``n``, ``mean``, ``dispersion``, ``polarisation``,
    ``bimodality``, ``group_gap``, ``n_groups``, ``index``, ``masked``, ``status``.
    """
    k = anonymity_k(frame)
    rows = counted(select(frame, questionnaire) if questionnaire is not None else frame,
                   ["item_id", "score", by])
    score = rows["score"].to_numpy(dtype=float)
    ok = ~np.isnan(score)
    s = score[ok]
    item_code, items = pd.factorize(rows["item_id"].to_numpy()[ok])
    if by in _PERSON_LEVEL:  # a person's group: factorize it once per person, not per row
        person_code, _ = pd.factorize(rows["participant"].to_numpy()[ok])
        firsts = _first_rows(person_code)
        person_group, groups = pd.factorize(rows[by].to_numpy()[ok][firsts])  # none: -1
        group_code = person_group[person_code]
    else:
        group_code, groups = pd.factorize(rows[by].to_numpy()[ok])
    size = len(items)

    def total(weights: np.ndarray | None = None, codes: np.ndarray = item_code,
              length: int = size) -> np.ndarray:
        return np.bincount(codes, weights=weights, minlength=length)

    n = total()
    sums = [total(s**p) for p in (1, 2, 3, 4)]
    low, high = total((s <= LOW_EXTREME).astype(float)), total((s >= HIGH_EXTREME).astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums[0] / n
        e2, e3, e4 = sums[1] / n, sums[2] / n, sums[3] / n
    m2 = np.clip(e2 - mean**2, 0, None)
    m3 = e3 - 3 * mean * e2 + 2 * mean**3
    m4 = e4 - 4 * mean * e3 + 6 * mean**2 * e2 - 3 * mean**4
    # Group means per item (groups under k left out), from one bincount over pairs.
    width = max(len(groups), 1)
    has_group = group_code >= 0
    pair = item_code[has_group] * width + group_code[has_group]
    pair_n = total(codes=pair, length=size * width).reshape(size, width)
    pair_sum = total(s[has_group], codes=pair, length=size * width).reshape(size, width)
    # A group's mean on an item is shown in the gap only as the item's breakdown by
    # group would show it (groups hidden everywhere, then complementary suppression).
    pool = hidden_groups(rows, k, by) if by == "group" else frozenset()
    in_pool = np.array([g in pool for g in groups], dtype=bool)
    keys = pd.DataFrame({by: np.asarray(groups, dtype=object)})
    shown = np.zeros((size, width), dtype=bool)
    for i in range(size):
        counts = pair_n[i, :len(groups)].astype("int64")
        shown[i, :len(groups)] = (counts > 0) & ~_suppress(keys, counts, k, in_pool)
    with np.errstate(divide="ignore", invalid="ignore"):
        pair_mean = pair_sum / pair_n
    n_groups = shown.sum(axis=1)
    gap = (np.where(shown, pair_mean, -np.inf).max(axis=1)
           - np.where(shown, pair_mean, np.inf).min(axis=1))
    out = pd.DataFrame({
        "item_id": items, "n": n.astype(int), "mean": mean, "dispersion": np.sqrt(m2),
        "polarisation": 2 * np.minimum(low, high) / np.maximum(n, 1),
        "bimodality": _sarle(n, m2, m3, m4),
        "group_gap": np.where(n_groups >= 2, gap, np.nan), "n_groups": n_groups,
    })
    out["index"] = (2 * out["dispersion"] + out["polarisation"]
                    + out["group_gap"].fillna(0)) / 3
    if questionnaire is not None:
        scored = [it.id for it in questionnaire.items() if it.scored]
        out = pd.DataFrame({"item_id": scored}).merge(out, how="left", on="item_id")
        out["n"] = out["n"].fillna(0)
        out.insert(1, "label", [questionnaire.item(i).text.get(lang) for i in out["item_id"]])
    out = mask(out, k, ["mean", "dispersion", "polarisation", "bimodality", "group_gap",
                        "n_groups", "index"])
    rank = out["status"].map({OK: 0, MASKED: 1, EMPTY: 2})
    out = out.assign(_rank=rank).sort_values(["_rank", "index"], ascending=[True, False],
                                             kind="stable").drop(columns="_rank")
    out = out.reset_index(drop=True)
    return out.head(limit) if limit is not None else out


def _sarle(n: np.ndarray, m2: np.ndarray, m3: np.ndarray, m4: np.ndarray) -> np.ndarray:
    """Sarle's bimodality coefficient from the (biased) central moments."""
    n = n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        kurt = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
        coef = (skew**2 + 1) / (kurt + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    return np.where((n >= 4) & (m2 > 1e-12), coef, np.nan)
