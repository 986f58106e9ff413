"""Analysis of a workshop's answers: pure functions over the answers frame.

Every function takes the tidy frame the store returns (``store.answers_frame``: one row
per answer, columns ``participant``, ``group``, ``item_id``, ``score``, ``feeling``,
``theme``... see :data:`ANSWER_COLUMNS`) and returns a new frame; nothing here touches
SQL, widgets or matplotlib, and nothing mutates its input.

**Anonymity.** Every breakdown goes through :func:`mask`, in the frame itself: charts,
exports, the room and the presenter cannot leak what they never receive. A figure that
could reveal fewer than ``k`` people (``frame.attrs["k"]``, default :data:`DEFAULT_K`)
has its values *and* its count blanked, ``masked`` set and ``status`` ``"masked"``,
distinct from ``"empty"`` (no answer at all). Three rules, each decided from the
figure's own counts so that every table showing the same figure hides at least the same
rows (Viva Glint's complementary suppression):

1. a group with fewer than k participants in the workshop is hidden in every figure,
   and with it the next smallest groups until the hidden people number at least k
   (:func:`hidden_groups`): the room minus the groups shown never isolates a small
   group, and the raw answers export pools exactly these groups;
2. a cell with fewer than k respondents is hidden;
3. within each figure's breakdown, the hidden cells together hold 0 or at least k
   respondents: else the next smallest cell is hidden too (:func:`complement`), so
   « Ensemble » minus the cells shown never gives fewer than k people. Counts follow
   the same rule (:func:`participation`).

The only unmasked results are a participant's own (``participant=`` arguments).

**Counting.** Every figure shown to others counts validated answers only
(:func:`counted`, :data:`COUNTED`); a participant's own result counts all theirs.

**Counting people, not rows.** ``n`` is always the number of distinct respondents whose
scored answers make the figure. Averages are taken per person first (a person who
answered three "fear / quality" items counts once, with the mean of their three
answers), then across persons, so every respondent weighs the same. The frame is
expected to hold one row per participant and item (the store keeps the last answer).

The formulas (tendency, divergence index, commitment) are explained for consultants in
``docs/analysis.md`` and ``docs/tendency.md``.

The figures live in this package's modules, one per figure: :mod:`~.readiness`,
:mod:`~.feelings`, :mod:`~.tendency`, :mod:`~.divergence`, :mod:`~.shoes` (in the other's
shoes), :mod:`~.waves`, :mod:`~.commitment` (retained and realised, over time),
:mod:`~.texts` (free texts and the common purpose put to the room), :mod:`~.plans`
(drafting and pre-filling the three plans), :mod:`~.purpose` (the common purpose's
wordings and history), :mod:`~.responsibilities` (principle 9), :mod:`~.actions`
(whether the statements an action addressed moved),
over :mod:`~.core` (masking and per-person averages). ``coopkit.analysis.<figure>`` is the
notebooks' entry point. ``tests/test_layout.py`` checks that none of it imports SQL,
widgets, matplotlib or exports.
"""

from coopkit.analysis.actions import action_statements
from coopkit.analysis.commitment import commitment, commitment_timeline
from coopkit.analysis.core import (
    ANSWER_COLUMNS,
    COUNTED,
    DEFAULT_K,
    EMPTY,
    LEVELS,
    MASKED,
    OK,
    STATUSES,
    anonymity_k,
    complement,
    counted,
    hidden_groups,
    mask,
    select,
)
from coopkit.analysis.divergence import divergence
from coopkit.analysis.feelings import feelings_map
from coopkit.analysis.participation import participation
from coopkit.analysis.purpose import purpose_history, similar_wordings
from coopkit.analysis.readiness import completion, readiness, weakest_items
from coopkit.analysis.responsibilities import matrix_check, principle_items
from coopkit.analysis.shoes import others_shoes
from coopkit.analysis.tendency import tendencies, tendency_change
from coopkit.analysis.texts import free_texts, purpose_amendments, purpose_items, purpose_vote
from coopkit.analysis.waves import waves

__all__ = [
    "ANSWER_COLUMNS", "COUNTED", "DEFAULT_K", "EMPTY", "LEVELS", "MASKED", "OK", "STATUSES",
    "action_statements", "anonymity_k", "commitment", "commitment_timeline",
    "complement", "completion", "counted", "divergence", "feelings_map", "free_texts",
    "hidden_groups", "mask", "matrix_check", "others_shoes", "participation",
    "principle_items", "purpose_amendments", "purpose_history", "purpose_items",
    "purpose_vote", "readiness", "select", "similar_wordings", "tendencies",
    "tendency_change", "waves", "weakest_items",
]
