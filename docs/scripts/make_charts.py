"""Render every coopkit chart from synthetic data into PNGs under docs/img/.

Run from the repository root: ``python docs/scripts/make_charts.py`` (French and English
versions). The data are synthetic (coopkit.synthetic): contrasted group profiles, one
group under the anonymity threshold so the masked cells show.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from coopkit import analysis, charts, synthetic

OUT = Path(__file__).resolve().parent.parent / "img"
#: Headcounts of the demo workshop: "elus_population" stays under k = 5 on purpose.
HEADCOUNTS = {"direction_generale": 7, "encadrement": 14, "personnel": 24,
              "medical_soignant": 16, "elus_population": 3}


def frames(lang: str) -> dict[str, object]:
    """The analysis frames every chart draws from (same seed, same pictures)."""
    q = synthetic.example_questionnaire(trust=True)
    t0 = synthetic.answers(q, HEADCOUNTS, seed=4)
    later = dict(synthetic.DEMO_PROFILES)
    later["personnel"] = replace(later["personnel"], peur=0.5, attrait=0.5,
                                 themes=(("peur", "accompagnement", 0.55),))
    later["direction_generale"] = replace(later["direction_generale"], tentation=0.25,
                                          themes=())
    t1 = synthetic.answers(q, {**HEADCOUNTS, "elus_population": 6}, profiles=later, seed=5,
                           wave="T1")
    proposals = synthetic.proposals(
        {"direction_generale": 4, "encadrement": 6, "personnel": 9, "medical_soignant": 7},
        done_share={"direction_generale": 0.9, "personnel": 0.4}, seed=3)
    return {
        "feelings_map": analysis.feelings_map(t0),
        "tendencies": analysis.tendencies(t0),
        "readiness": analysis.readiness(t0, q, level="section", by="group", lang=lang),
        "divergence": analysis.divergence(t0, q, lang=lang),
        "waves": analysis.waves(t0, t1),
        "commitment": analysis.commitment(proposals, committed_on=date(2025, 3, 1)),
    }


def render(lang: str, data: dict[str, object]) -> list[Path]:
    jobs = [
        ("feelings_map", (13, 6.5), lambda ax: charts.plot_feelings_map(
            ax, data["feelings_map"], lang=lang)),
        ("tendencies", (13, 7), lambda ax: charts.plot_tendencies(
            ax, data["tendencies"], lang=lang)),
        ("readiness", (12, 7), lambda ax: charts.plot_readiness(
            ax, data["readiness"], lang=lang)),
        ("divergence", (13, 7.5), lambda ax: charts.plot_divergence(
            ax, data["divergence"], lang=lang)),
        ("waves", (13, 8), lambda ax: charts.plot_waves(
            ax, data["waves"], lang=lang, feeling="peur")),
        ("commitment", (11, 5), lambda ax: charts.plot_commitment(
            ax, data["commitment"], lang=lang)),
    ]
    written = []
    for name, size, draw in jobs:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        draw(ax)
        path = OUT / f"{name}.{lang}.png"
        fig.savefig(path, dpi=80)
        plt.close(fig)
        written.append(path)
    return written


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang in ("fr", "en"):
        for path in render(lang, frames(lang)):
            print(path.relative_to(OUT.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
