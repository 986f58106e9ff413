"""Tendencies: the behaviour a group's feelings lean towards (see ``docs/tendency.md``).

The method names three behaviours, each pushed by one feeling and held in check by
another: cooperative (pushed by attractions, stabilised by **trust**), opportunist
(pushed by temptations), individualist (pushed by fear, brought back by attractions).
:func:`reading` is the model, on plain numbers, shared by the workshops
(:func:`tendencies`, over the answers frame) and the awareness exercise, so that what a
trainer shows is what a room gets. Trust is **measured** (statements tagged
``feeling: confiance``), never guessed from the other feelings: without it the tendency
is not read (« confiance non mesurée »).

Pure functions; every component comes from at least k respondents or is masked.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from coopkit.analysis.core import (
    _across_persons,
    _by,
    _combos,
    _order,
    _own_feelings,
    _person_units,
    _sort,
    anonymity_k,
    counted,
    group_hidden,
    hidden_groups,
    mask,
    suppressed,
)
from coopkit.definitions import method
from coopkit.i18n import t

#: Two pressures closer than this are « pas de tendance nette ». 0.10 on the 0..1 scale
#: is half a point on the 0-5 answer scale, about one standard error of the mean of a
#: five-person group (a typical spread of 1.2 points: 1.2 / 5 / √5 ≈ 0.11): closer than
#: that, the order of the two could come from who happened to answer.
MARGIN = 0.10
#: Below this, the strongest pressure is too weak to lean anywhere (an indifferent group:
#: A = 0.1, F = 0.05 is not « coopératif »).
FLOOR = 0.15
#: The readings, in the order of ``docs/tendency.md``: a behaviour id, or one of these.
NO_CLEAR, TOO_WEAK, NOT_MEASURED = "pas_nette", "trop_faible", "confiance_non_mesuree"
READINGS = (*method.BEHAVIOUR_IDS, NO_CLEAR, TOO_WEAK, NOT_MEASURED)
COMPONENTS = (*method.FEELING_IDS, method.TRUST.id)
PRESSURES = tuple(f"pressure_{b}" for b in method.BEHAVIOUR_IDS)
COLUMNS = (*COMPONENTS, *(f"n_{c}" for c in COMPONENTS), "trust_measured", "intensity",
           *PRESSURES, "leaning", "reading")


def phrase(reading_id: object, lang: str | None = None) -> str:
    """« penche vers la coopération », « pas de tendance nette »... for a reading."""
    if reading_id is None or (isinstance(reading_id, float) and np.isnan(reading_id)):
        return ""
    return t(f"tendency.reading.{reading_id}", lang)


def note_phrase(note: object, lang: str | None = None) -> str:
    """The words of a :func:`tendency_change` note (« de la franchise… »), or ""."""
    return t(f"tendency.note.{note}", lang) if isinstance(note, str) and note else ""


def pressures(attraction: np.ndarray, fear: np.ndarray, temptation: np.ndarray,
              trust: np.ndarray) -> dict[str, np.ndarray]:
    """The three pressures (0..1) of the method's balances; NaN where trust is NaN.

    ``cooperatif = A × (1 − F) × C``: attractions push, as far as fears leave them
    room, and trust makes it last; ``individualiste = F × (1 − A)``: fear pushes,
    attractions bring back to reason; ``opportuniste = T × (1 − C)``: a temptation
    becomes a behaviour where partners are not trusted to keep the common rules. So a
    group more afraid than attracted always leans further to individualism than to
    cooperation (``A(1 − F) < F(1 − A)`` exactly when ``A < F``), and admitting a
    temptation never lowers the cooperative pressure.
    """
    a, f, tt, c = (np.asarray(x, dtype=float) for x in (attraction, fear, temptation, trust))
    return {"cooperatif": a * (1 - f) * c, "opportuniste": tt * (1 - c),
            "individualiste": f * (1 - a)}


def reading(attraction, fear, temptation, trust) -> tuple[dict[str, np.ndarray],
                                                            np.ndarray, np.ndarray]:
    """Pressures, leaning (behaviour id or None) and reading for arrays of groups.

    The reading is the behaviour whose pressure is the strongest by at least
    :data:`MARGIN`, at least :data:`FLOOR` strong; else « pas de tendance nette »
    (:data:`NO_CLEAR`) or « trop faible » (:data:`TOO_WEAK`); :data:`NOT_MEASURED`
    where trust is NaN. NaN feelings (masked, no answer) give no reading (None).
    """
    a, f, tt, c = (np.atleast_1d(np.asarray(x, dtype=float))
                   for x in (attraction, fear, temptation, trust))
    push = pressures(a, f, tt, c)
    stack = np.column_stack([push[b] for b in method.BEHAVIOUR_IDS])
    ordered = np.sort(np.nan_to_num(stack, nan=-1.0), axis=1)
    top, second = ordered[:, -1], ordered[:, -2]
    best = np.array(method.BEHAVIOUR_IDS, dtype=object)[
        np.argmax(np.nan_to_num(stack, nan=-1.0), axis=1)]
    feelings_known = ~(np.isnan(a) | np.isnan(f) | np.isnan(tt))
    clear = (top >= FLOOR) & (top - second >= MARGIN)
    out = np.where(top < FLOOR, TOO_WEAK, np.where(clear, best, NO_CLEAR)).astype(object)
    out[np.isnan(c)] = NOT_MEASURED
    out[~feelings_known] = None
    leaning = np.where(np.isin(out, method.BEHAVIOUR_IDS), out, None).astype(object)
    return push, leaning, out


def tendencies(frame: pd.DataFrame, *, by: str | Sequence[str] = "group") -> pd.DataFrame:
    """Each group's tendency: what its feelings and its trust lean towards.

    This describes a *group's* average feelings at one moment; it is never a judgement
    of a person. Per group, ``attrait``, ``peur``, ``tentation`` (A, F, T) are the mean
    intensities (0..1) of the group's own feelings over all themes, ``confiance`` (C)
    the mean of its trust statements, each per person first, then across persons, each
    with its own number of respondents (``n_attrait``…). A component from fewer than k
    respondents is masked, and so is the whole row (a reading needs all of them); so is
    a row hidden for any component by complementary suppression (see
    :func:`~.core.mask`: the rows hidden hold 0 or at least k respondents of that
    component) or a group hidden everywhere (:func:`~.core.hidden_groups`). Validated
    answers only (:func:`~.core.counted`);
    ``confiance`` is NaN with ``trust_measured`` False where no trust statement was
    answered, and the reading is then « confiance non mesurée ». ``intensity`` is the
    mean of A, F and T: how strongly the group feels anything at all, shown beside the
    direction. Pressures, ``leaning`` and ``reading``: see :func:`reading`.

    ``by``: ``"group"`` (default), several columns, or ``None`` for the whole frame
    (then a ``scope`` column holding ``"all"``). Columns: the ``by`` columns,
    :data:`COLUMNS`, ``n`` (respondents with any feeling answer), ``masked``,
    ``status``.
    """
    keys_by = _by(by)
    k = anonymity_k(frame)
    frame = counted(frame, [*keys_by, "item_id", "theme", "feeling", "score", "about"])
    if not keys_by:  # the whole frame as one breakdown
        frame, keys_by = frame.assign(scope="all"), ["scope"]
    rows = _own_feelings(frame, keys_by)
    rows = rows[rows["score"].notna().to_numpy()]
    if "item_id" not in rows:  # a bare profile (e.g. the awareness exercise)
        rows = rows.assign(item_id=rows["feeling"])
    units = pd.DataFrame({"feeling": COMPONENTS, "unit": range(len(COMPONENTS))})
    item_unit = rows[["item_id", "feeling"]].drop_duplicates("item_id").merge(
        units, on="feeling")[["item_id", "unit"]]
    feeling_rows = rows[rows["feeling"].isin(method.FEELING_IDS).to_numpy()]
    people, means = _person_units(rows, item_unit, len(COMPONENTS), keys_by)
    combos, mean, _, n_unit = _across_persons(people, keys_by, means["score"])
    answered = np.isin(people["participant"], feeling_rows["participant"].unique())
    _, _, _, n_any = _across_persons(people, keys_by,
                                     np.where(answered, 0.0, np.nan)[:, None])
    cells = combos.copy()
    for i, comp in enumerate(COMPONENTS):
        cells[comp] = mean[:, i]
        cells[f"n_{comp}"] = n_unit[:, i]
    cells["n"] = n_any[:, 0]
    out = _combos(frame, keys_by, None).merge(cells, how="left", on=keys_by)
    counts = [f"n_{c}" for c in COMPONENTS]
    out[[*counts, "n"]] = out[[*counts, "n"]].fillna(0)
    trust_n = out[f"n_{method.TRUST.id}"].to_numpy()
    out["trust_measured"] = trust_n > 0
    out["intensity"] = out[list(method.FEELING_IDS)].mean(axis=1, skipna=False)
    push, leaning, read = reading(*(out[c] for c in COMPONENTS))
    for b in method.BEHAVIOUR_IDS:
        out[f"pressure_{b}"] = push[b]
    out["leaning"], out["reading"] = leaning, read
    # every component from at least k people: a row is shown only when each feeling and
    # (when measured) trust reaches k; a trust asked of nobody leaves it unmeasured
    gate = np.column_stack([out[f"n_{c}"].to_numpy() for c in method.FEELING_IDS]
                           + [np.where(trust_n > 0, trust_n, out["n"].to_numpy())])
    out["_n_gate"] = gate.min(axis=1)
    values = [*COMPONENTS, "intensity", *PRESSURES, "leaning", "reading"]
    out = out[[*keys_by, *COMPONENTS, *counts, "trust_measured", "intensity", *PRESSURES,
               "leaning", "reading", "n", "_n_gate"]]
    # ...and each component is its own figure: component by component, the rows hidden
    # hold 0 or at least k respondents (as the waves of one feeling, or the feelings map
    # of one cell, hide them), with the groups hidden everywhere (see core.mask)
    pool = group_hidden(out, hidden_groups(frame, k)) if "group" in keys_by else None
    hide = suppressed(out, k, counts, among=keys_by, hidden=pool)
    out = mask(out, k, values, n="_n_gate", hidden=hide)
    for col in counts:  # each count blanked under k, like ``n``
        raw = out[col].to_numpy(dtype=float)
        small = (raw > 0) & (raw < k) | out["status"].ne("ok").to_numpy()
        out[col] = pd.arrays.IntegerArray(raw.astype("int64"), small)
    shown = out["status"].eq("ok").to_numpy()
    n = out["n"].to_numpy(dtype=float)
    out["n"] = pd.arrays.IntegerArray(n.astype("int64"), ~shown & (n > 0))
    out["trust_measured"] = out["trust_measured"].where(shown, None).astype(object)
    out = out.drop(columns="_n_gate")
    return _sort(out, {"group": _order(out.get("group", []), method.GROUP_IDS)})


def tendency_change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """T0 → T1 per group, read so that candour is not mistaken for opportunism.

    ``before`` and ``after`` are :func:`tendencies` frames (by group). ``delta_<c>`` is
    the change of each component; ``note`` is ``"franchise"`` when admitted temptation
    rose by at least :data:`MARGIN` while measured trust did not fall by as much (the
    room says more, and trusts as much: a step towards trust, as the questionnaire tells
    participants), ``"vigilance"`` when temptation rose and trust fell, else None. A
    group masked or unmeasured in either wave gets no figures.
    Columns: ``group``, ``reading0``, ``reading1``, ``delta_<component>``, ``note``.
    """
    cols = ["group", "reading", *COMPONENTS, "status"]
    both = before[cols].merge(after[cols], on="group", how="outer", suffixes=("0", "1"))
    ok = both["status0"].eq("ok") & both["status1"].eq("ok")
    out = pd.DataFrame({"group": both["group"]})
    out["reading0"] = both["reading0"].where(ok, None)
    out["reading1"] = both["reading1"].where(ok, None)
    for c in COMPONENTS:
        out[f"delta_{c}"] = (both[f"{c}1"] - both[f"{c}0"]).where(ok)
    d_t, d_c = out["delta_tentation"], out[f"delta_{method.TRUST.id}"]
    rose = d_t.ge(MARGIN)
    note = np.select([rose & d_c.ge(-MARGIN), rose & d_c.lt(-MARGIN)],
                     ["franchise", "vigilance"], "")
    out["note"] = pd.Series(note, dtype=object).where(lambda s: s != "", None)
    return _sort(out, {"group": _order(out["group"], method.GROUP_IDS)})
