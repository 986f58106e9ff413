"""The awareness exercise: four sliders (attractions, fears, temptations, trust) and the
behaviours they push towards, with the reason why.

The tendency is computed by :func:`coopkit.analysis.tendencies` itself, on a one-person
profile (like a participant's own result, it is not masked), so the exercise always
shows the model the workshops use: pressures, leaning, « pas de tendance nette ».
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import pandas as pd
import traitlets

from coopkit.analysis.tendency import TOO_WEAK
from coopkit.analysis.tendency import phrase as tendency_phrase
from coopkit.definitions import method
from coopkit.i18n import get_language, normalise_language, t

#: The sliders, in the order shown: the three feelings of the map, then trust.
KEYS = (*method.FEELING_IDS, method.TRUST.id)
_PROFILE = "exercise"


def profile_tendency(profile: dict[str, float]) -> dict[str, object]:
    """The pressures (0..1), leaning and reading of a single profile.

    ``profile`` holds ``attrait``, ``peur``, ``tentation`` and ``confiance`` in 0..1.
    Returns ``{"cooperatif": pressure, ..., "leaning": id or None, "reading": ...}``,
    computed by :func:`coopkit.analysis.tendencies` on a one-person frame (like a
    participant's own result, not masked): exactly the workshops' model.
    """
    from coopkit.analysis import tendencies

    rows = pd.DataFrame({
        "participant": [1] * len(KEYS),
        "group": [_PROFILE] * len(KEYS),
        "feeling": list(KEYS),
        "about": [None] * len(KEYS),
        "score": [float(profile.get(f, 0.0)) for f in KEYS],
    })
    rows.attrs["k"] = 1
    row = tendencies(rows, by="group").iloc[0]
    out: dict[str, object] = {b: float(row[f"pressure_{b}"]) for b in method.BEHAVIOUR_IDS}
    out["leaning"], out["reading"] = row["leaning"], row["reading"]
    return out


def numbers_of(value: float, comma: bool) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if comma else text


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
        numbers = {k: numbers_of(v, comma) for k, v in profile.items()}
        lines = []
        for b in method.BEHAVIOUR_IDS:
            pressure = float(self.result[b])
            self.bars[b].value = pressure
            label = t("exercise.share", lang, behaviour=t(f"method.behaviour.{b}", lang),
                      share=numbers_of(pressure, comma))
            why = t(f"exercise.why.{b}", lang, **numbers)
            lines.append(f"<li><b>{escape(label)}</b> — {escape(why)}</li>")
        leaning, reading = self.result.get("leaning"), self.result.get("reading")
        if leaning:
            summary = t("exercise.dominant", lang, reading=tendency_phrase(reading, lang))
        elif reading == TOO_WEAK:
            summary = t("exercise.none", lang)
        else:
            summary = t("exercise.balanced", lang)
        self.explanation.value = f"<p><b>{escape(summary)}</b></p><ul>{''.join(lines)}</ul>"
