"""Free texts and the common purpose put to the room: what people wrote, and how they
voted on the purpose statement.

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`), validated
answers only (:func:`~coopkit.analysis.core.counted`). Texts are returned without
their author's group, participant or time, in alphabetical order (an
order that links nothing back to a person), and only once the frame holds at least k
respondents: below that, a text could be attributed to one of very few people.

**The common purpose put to the room.** A questionnaire may ask the room whether it
accepts the project's common purpose statement (principle 2) with two items tagged
``principles: [2]``: a ``single`` item whose choices carry scores (the vote: a choice
scored 0.5 or more accepts the statement, e.g. « je l'accepte » 1, « avec un
amendement » 0.5, « pas en l'état » 0) and a ``text`` item (the amendments proposed).
:func:`purpose_items` finds them; free texts leave them out (they are the purpose's).
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from coopkit.analysis.core import _order, anonymity_k, counted, mask
from coopkit.definitions import method
from coopkit.definitions.questionnaire import Item, Questionnaire

#: The principle a purpose vote and its amendments are tagged with.
PURPOSE_PRINCIPLE = 2
#: A choice scored at least this accepts the purpose statement.
ACCEPTS = 0.5


def purpose_items(questionnaire: Questionnaire) -> tuple[Item | None, tuple[Item, ...]]:
    """The purpose vote (the first ``single`` item tagged principle 2 with scored
    choices, or None) and the amendment items (``text`` items tagged principle 2)."""
    vote = next((it for it in questionnaire.items()
                 if it.type == "single" and PURPOSE_PRINCIPLE in it.principles
                 and any(c.score is not None for c in it.choices)), None)
    amendments = tuple(it for it in questionnaire.items()
                       if it.type == "text" and PURPOSE_PRINCIPLE in it.principles)
    return vote, amendments


def _alphabetical(text: str) -> str:
    """A sort key in dictionary order: accents and case set aside (« Âne » before
    « zèbre »)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _texts(frame: pd.DataFrame, item_ids: set[str] | None, exclude: set[str],
           key: str) -> pd.DataFrame:
    """Distinct texts of the text items (all, or ``item_ids``), one row each with its
    ``count``; ``n`` is the frame's respondents (the masking rule)."""
    k = anonymity_k(frame)
    frame = counted(frame)
    n = int(frame["participant"].nunique()) if len(frame) else 0
    rows = frame[(frame["item_type"] == "text").to_numpy()]
    if item_ids is not None:
        rows = rows[rows["item_id"].isin(item_ids).to_numpy()]
    if exclude:
        rows = rows[~rows["item_id"].isin(exclude).to_numpy()]
    text = rows["value"].map(lambda v: v.strip() if isinstance(v, str) else "")
    rows = rows.assign(text=text)[text.ne("").to_numpy()]
    if rows.empty:
        out = pd.DataFrame({key: pd.Series(dtype=object), "text": pd.Series(dtype=object),
                            "count": pd.Series(dtype="int64"), "n": pd.Series(dtype="int64")})
    else:
        keys = rows[key].astype(object).where(rows[key].notna(), None) if key in rows \
            else pd.Series(None, index=rows.index, dtype=object)
        tally = (pd.DataFrame({key: keys.to_numpy(), "text": rows["text"].to_numpy()})
                   .groupby([key, "text"], dropna=False, sort=False).size()
                   .reset_index(name="count"))
        order = {v: i for i, v in enumerate(_order(tally[key], method.FEELING_IDS))}
        tally = tally.assign(
            _k=tally[key].map(lambda v: order.get(v, len(order))),
            _t=tally["text"].map(_alphabetical)).sort_values(["_k", "_t", "text"])
        out = tally.drop(columns=["_k", "_t"]).reset_index(drop=True)
        out[key] = out[key].astype(object).where(out[key].notna(), None)
        out["n"] = n
    return mask(out, k, ["text", "count"])


def free_texts(frame: pd.DataFrame, questionnaire: Questionnaire | None = None
               ) -> pd.DataFrame:
    """What the room wrote in the free-text questions, grouped by the item's feeling.

    One row per distinct text (surrounding spaces removed; empty answers left out):
    ``feeling`` (the item's, None for an item without one), ``text``, ``count`` (how
    many gave exactly this text), ``n`` (respondents in the frame), ``masked``,
    ``status``. Sorted by feeling (the method's order) then alphabetically. With fewer
    than k respondents every row is masked (text blanked). With a questionnaire, the
    purpose amendments (:func:`purpose_items`) are left out: they belong to the
    purpose screen.
    """
    exclude: set[str] = set()
    if questionnaire is not None:
        exclude = {it.id for it in purpose_items(questionnaire)[1]}
    return _texts(frame, None, exclude, "feeling")


def purpose_amendments(frame: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """The amendments proposed to the purpose statement (the principle-2 text items),
    as :func:`free_texts` (``item_id`` instead of ``feeling``)."""
    ids = {it.id for it in purpose_items(questionnaire)[1]}
    return _texts(frame, ids, set(), "item_id")


def purpose_vote(frame: pd.DataFrame, questionnaire: Questionnaire, *,
                 lang: str | None = None) -> pd.DataFrame:
    """How the room voted on the common purpose statement.

    One row per choice of the vote item (:func:`purpose_items`), in the questionnaire's
    order: ``item_id``, ``choice``, ``label``, ``score``, ``accepts`` (score >= 0.5),
    ``count``, ``share`` (of the respondents to the vote), ``n`` (respondents),
    ``masked``, ``status``. Fewer than k respondents: counts and shares masked. No
    vote item: an empty frame. The acceptance rate is the sum of ``share`` over the
    rows that ``accepts``.
    """
    k = anonymity_k(frame)
    vote, _ = purpose_items(questionnaire)
    columns = ["item_id", "choice", "label", "score", "accepts", "count", "share", "n"]
    if vote is None:
        return mask(pd.DataFrame(columns=columns), k, ["count", "share"])
    rows = counted(frame)
    rows = rows[(rows["item_id"] == vote.id).to_numpy()]
    rows = rows.drop_duplicates("participant", keep="last")
    n = len(rows)
    counts = rows["value"].value_counts()
    out = pd.DataFrame({
        "item_id": vote.id,
        "choice": [c.id for c in vote.choices],
        "label": [c.label.get(lang) for c in vote.choices],
        "score": [float("nan") if c.score is None else float(c.score) for c in vote.choices],
        "accepts": [c.score is not None and c.score >= ACCEPTS for c in vote.choices],
        "count": [int(counts.get(c.id, 0)) for c in vote.choices],
    })
    out["share"] = out["count"] / n if n else float("nan")
    out["n"] = n
    return mask(out, k, ["count", "share"])
