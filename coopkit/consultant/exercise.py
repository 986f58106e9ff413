"""The awareness exercise: four sliders (attractions, fears, temptations, trust) and the
behaviours they push towards, with the reason why.

The tendency is computed by :func:`coopkit.analysis.tendencies` itself, on a one-person
profile (like a participant's own result, it is not masked), so the exercise always
shows the formula the workshops use.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import pandas as pd
import traitlets

from coopkit.definitions import method
from coopkit.i18n import get_language, normalise_language, t

#: The sliders, in the order shown: the three feelings of the map, then trust.
KEYS = (*method.FEELING_IDS, method.TRUST.id)
_PROFILE = "exercise"


def profile_tendency(profile: dict[str, float]) -> dict[str, object]:
    """Shares (0..1) of each behaviour and the dominant one for a single profile.

    ``profile`` holds ``attrait``, ``peur``, ``tentation`` and ``confiance`` in 0..1.
    Returns ``{"cooperatif": share, ..., "dominant": id or None}``; the shares are NaN
    when no feeling is expressed.
    """
    from coopkit.analysis import tendencies

    rows = pd.DataFrame({
        "participant": [1, 1, 1],
        "group": [_PROFILE] * 3,
        "feeling": list(method.FEELING_IDS),
        "about": [None] * 3,
        "score": [float(profile.get(f, 0.0)) for f in method.FEELING_IDS],
    })
    rows.attrs["k"] = 1
    trust = {_PROFILE: float(profile.get(method.TRUST.id, 0.0))}
    row = tendencies(rows, by="group", trust=trust).iloc[0]
    out: dict[str, object] = {b: float(row[b]) for b in method.BEHAVIOUR_IDS}
    out["dominant"] = row["dominant"]
    return out


class FeelingsExercise(widgets.VBox):
    """Sliders for a profile of feelings, and the behaviours it leans towards.

    ``value`` is the profile, a dict ``{"attrait": 0..1, "peur": ..., "tentation": ...,
    "confiance": ...}``; setting it moves the sliders. ``result`` is the last computed
    :func:`profile_tendency`.
    """

    value = traitlets.Dict()

    def __init__(self, value: dict[str, float] | None = None, *, lang: str | None = None):
        self._lang = lang
        start = {k: 0.5 for k in KEYS} | dict(value or {})
        self.sliders = {
            k: widgets.FloatSlider(
                value=start[k], min=0.0, max=1.0, step=0.05, readout_format=".2f",
                description=t(f"method.feeling.{k}", lang), continuous_update=False,
                style={"description_width": "8em"},
                layout=widgets.Layout(width="28em"))
            for k in KEYS
        }
        self.bars = {
            b: widgets.FloatProgress(min=0.0, max=1.0, value=0.0,
                                     description=t(f"method.behaviour.{b}", lang),
                                     style={"description_width": "8em"})
            for b in method.BEHAVIOUR_IDS
        }
        self.explanation = widgets.HTML()
        self.result: dict[str, object] = {}
        intro = widgets.HTML(f"<p>{escape(t('exercise.intro', lang))}</p>")
        super().__init__([intro, *self.sliders.values(), *self.bars.values(),
                          self.explanation])
        for slider in self.sliders.values():
            slider.observe(self._on_slider, names="value")
        self.value = {k: float(s.value) for k, s in self.sliders.items()}
        self._redraw()

    def _on_slider(self, _change: dict) -> None:
        self.value = {k: float(s.value) for k, s in self.sliders.items()}

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        for key, number in change["new"].items():
            if key in self.sliders and self.sliders[key].value != number:
                self.sliders[key].value = float(number)
        self._redraw()

    def _redraw(self) -> None:
        if not hasattr(self, "bars"):
            return
        profile = {k: float(self.value.get(k, 0.0)) for k in KEYS}
        self.result = profile_tendency(profile)
        lang = self._lang
        comma = normalise_language(lang or get_language()) == "fr"
        numbers = {k: f"{v:.2f}".replace(".", ",") if comma else f"{v:.2f}"
                   for k, v in profile.items()}
        lines = []
        for b in method.BEHAVIOUR_IDS:
            share = self.result[b]
            ok = isinstance(share, float) and share == share  # not NaN
            self.bars[b].value = share if ok else 0.0
            percent = f"{100 * share:.0f}" if ok else "-"
            label = t("exercise.share", lang, behaviour=t(f"method.behaviour.{b}", lang),
                      share=percent)
            why = t(f"exercise.why.{b}", lang, **numbers)
            lines.append(f"<li><b>{escape(label)}</b> — {escape(why)}</li>")
        dominant = self.result.get("dominant")
        if not any(profile[f] for f in method.FEELING_IDS):
            summary = t("exercise.none", lang)
        elif dominant:
            summary = t("exercise.dominant", lang,
                        behaviour=t(f"method.behaviour.{dominant}", lang))
        else:
            summary = t("exercise.balanced", lang)
        self.explanation.value = f"<p><b>{escape(summary)}</b></p><ul>{''.join(lines)}</ul>"
