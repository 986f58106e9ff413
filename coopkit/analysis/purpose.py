"""The common purpose (principle 2): suggest groups of similar wordings, and read the
history of the statement's versions with each partner's decision.

A purpose says what the partners want to achieve together for the people they serve
(« que chaque habitant du territoire garde un service de proximité... »), not the means
(« mutualiser les achats »). Participants propose wordings, the consultant groups the
similar ones and drafts a statement, and each partner establishment accepts a version
(or declines it), on a date. Pure functions over the store's frames
(``purpose_wordings_frame``, ``purpose_versions_frame``, ``purpose_acceptances_frame``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import pandas as pd

#: Two wordings sharing at least this share of their meaningful words are suggested
#: together (Jaccard index of their word sets).
SIMILAR = 0.25
#: Short words that carry no meaning of their own (French and English).
_STOP = frozenset(
    """
au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur
leurs lui ma mais me meme mes moi mon ne nos notre nous ou par pas pour qu que qui sa
se ses son sur ta te tes toi ton tu un une vos votre vous etre avoir faire plus tous
tout toute toutes chaque entre afin sans sous
a an and are as at be by for from has have in is it its of on or our so that the their
them they this to we with who all each every more
""".split()  # noqa: SIM905 - a word list reads better as text
)
HISTORY_COLUMNS = ("version", "text", "drafted_on", "note", "state", "accepted_by",
                   "declined_by", "pending", "accepted_on", "current")


def words(text: str) -> set[str]:
    """The meaningful words of a text: lower case, accents off, short and common
    words left out, a plural's final s dropped."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    found = set()
    for word in re.findall(r"[a-z]+", plain.lower()):
        if len(word) < 3 or word in _STOP:
            continue
        found.add(word[:-1] if len(word) > 4 and word.endswith(("s", "x")) else word)
    return found


def similar_wordings(wordings: pd.DataFrame, *, threshold: float = SIMILAR) -> pd.DataFrame:
    """Suggest groups of similar wordings (the consultant decides): two wordings that
    share enough meaningful words (:data:`SIMILAR`) go together, and so on step by
    step. Returns ``id``, ``text``, ``suggestion`` (1, 2... by size, largest first; a
    wording alike no other gets its own number) and ``shared`` (the words its group
    shares most, comma-separated)."""
    ids = list(wordings["id"]) if len(wordings) else []
    texts = list(wordings["text"]) if len(wordings) else []
    sets = [words(t) for t in texts]
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            union = sets[i] | sets[j]
            if union and len(sets[i] & sets[j]) / len(union) >= threshold:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(ids)):
        groups.setdefault(root(i), []).append(i)
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    number, shared = {}, {}
    for n, members in enumerate(ordered, start=1):
        counts: dict[str, int] = {}
        for i in members:
            for w in sets[i]:
                counts[w] = counts.get(w, 0) + 1
        common = sorted((w for w, c in counts.items() if c > 1 or len(members) == 1),
                        key=lambda w: (-counts[w], w))[:4]
        for i in members:
            number[i], shared[i] = n, ", ".join(common)
    return pd.DataFrame({"id": ids, "text": texts,
                         "suggestion": [number[i] for i in range(len(ids))],
                         "shared": [shared[i] for i in range(len(ids))]},
                        columns=["id", "text", "suggestion", "shared"])


def purpose_history(versions: pd.DataFrame, acceptances: pd.DataFrame,
                    partners: Sequence[str]) -> pd.DataFrame:
    """One row per version of the purpose, first one first: its text and date, and
    where the partners stand on it.

    ``state``: ``"accepted"`` (every partner accepted it), ``"declined"`` (at least one
    declined), ``"pending"`` (decisions awaited). ``accepted_by`` / ``declined_by``:
    lists of ``(partner, date, by)``; ``pending``: the partners who have not decided;
    ``accepted_on``: the day the last partner accepted (None until all did);
    ``current``: the latest version. Columns: :data:`HISTORY_COLUMNS`.
    """
    rows = []
    last = int(versions["version"].max()) if len(versions) else None
    for _, v in versions.sort_values("version").iterrows():
        mine = acceptances[acceptances["version"] == v["version"]] if len(acceptances) \
            else acceptances
        decided = {r["partner"]: r for _, r in mine.iterrows()}
        yes = [(p, decided[p]["decided_on"], decided[p]["decided_by"])
               for p in partners if p in decided and bool(decided[p]["accepted"])]
        no = [(p, decided[p]["decided_on"], decided[p]["decided_by"])
              for p in partners if p in decided and not bool(decided[p]["accepted"])]
        waiting = [p for p in partners if p not in decided]
        if no:
            state = "declined"
        elif partners and not waiting:
            state = "accepted"
        else:
            state = "pending"
        rows.append({"version": int(v["version"]), "text": v["text"],
                     "drafted_on": v["drafted_on"], "note": v.get("note"), "state": state,
                     "accepted_by": yes, "declined_by": no, "pending": waiting,
                     "accepted_on": max(d for _, d, _ in yes) if state == "accepted"
                     else None,
                     "current": int(v["version"]) == last})
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
