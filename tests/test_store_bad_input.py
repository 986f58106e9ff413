"""Bad input through the store's public API, on SQLite and on the real PostgreSQL.

Every case in the table must raise coopkit's own :class:`CoopkitError`, with a message
(French and English) that names what is wrong and never holds a token or a resume code
(nor does the traceback), and must write nothing: every table of the database is the
same, row for row, before and after. Then a few good inputs that used to be refused
or mis-stored (numpy numbers), the root guard in the connection layer, and
``completion()`` against ``Item.asked_of``.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, text
from store_support import questionnaire_mapping

from coopkit import analysis
from coopkit.definitions.questionnaire import parse
from coopkit.errors import CoopkitError
from coopkit.store import Store
from coopkit.store.engine import read_connection, write_connection
from coopkit.store.schema import (
    answers,
    participants,
    partners,
    project_groups,
    projects,
    proposals,
    questionnaires,
    workshops,
)

TABLES = (projects, partners, project_groups, questionnaires, workshops, participants,
          answers, proposals)
HUGE = 2**70


def _t(text: str) -> dict[str, str]:
    return {"fr": text, "en": f"{text} (en)"}


def _questionnaire():
    """The store tests' questionnaire, plus an item for medical staff only and an "in
    the other's shoes" estimate about personnel (not asked of personnel)."""
    mapping = questionnaire_mapping()
    mapping["sections"][0]["items"] += [
        {"id": "medical_only", "type": "intensity", "max": 5, "required": False,
         "groups": ["medical_soignant"], "text": _t("Pour les soignants")},
        {"id": "about_personnel", "type": "intensity", "max": 5, "required": False,
         "about": "personnel", "feeling": "peur", "theme": "qualite",
         "text": _t("Les personnels craignent...")},
    ]
    return parse(mapping)


Q = _questionnaire()


@dataclass
class World:
    store: Store
    project: int
    workshop: Any
    token: str  # a personnel participant with answers
    resume: str
    medical: str  # a medical participant
    proposal: int


@pytest.fixture
def world(store: Store) -> World:
    project = store.create_project("Achats", "Mieux acheter", "GHT")
    store.add_partner(project, "CH Nord")
    ws = store.open_workshop(project, Q, k=2)
    me = store.join(ws.code, "personnel", "CH Nord")
    store.save_answer(me.token, "peur_autonomie", 2)
    store.save_answer(me.token, "remarque", "première remarque")
    medical = store.join(ws.code, "medical_soignant")
    store.save_answer(medical.token, "medical_only", 4)
    proposal = store.add_proposal(project, "Former les équipes", "personnel")
    return World(store, project, ws, me.token, me.resume_code, medical.token, proposal)


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: "nothing written" means this is unchanged."""
    with read_connection(store._engine) as conn:
        return {t.name: sorted(tuple(map(repr, r)) for r in conn.execute(select(t)))
                for t in TABLES}


def secrets_of(store: Store) -> list[str]:
    with read_connection(store._engine) as conn:
        rows = conn.execute(select(participants.c.token, participants.c.resume_code)).all()
    return [s for row in rows for s in row if s]


# (case id, call, error code, fragments the French message must hold)
NAN, INF = float("nan"), float("inf")
CASES = [
    # numbers that are no answer on a scale
    ("nan", lambda w: w.store.save_answer(w.token, "peur_autonomie", NAN), "value_invalid",
     ["peur_autonomie", "nan", "0..5"]),
    ("inf", lambda w: w.store.save_answer(w.token, "peur_autonomie", INF), "value_invalid",
     ["peur_autonomie", "inf"]),
    ("-inf", lambda w: w.store.save_answer(w.token, "peur_autonomie", -INF),
     "value_invalid", ["peur_autonomie", "-inf"]),
    ("numpy nan", lambda w: w.store.save_answer(w.token, "peur_autonomie", np.float64(NAN)),
     "value_invalid", ["peur_autonomie", "nan"]),
    ("numpy 3.5", lambda w: w.store.save_answer(w.token, "attrait_qualite", np.float64(3.5)),
     "value_invalid", ["attrait_qualite", "3.5"]),
    ("bool", lambda w: w.store.save_answer(w.token, "peur_autonomie", True), "value_invalid",
     ["peur_autonomie", "True"]),
    ("numpy bool", lambda w: w.store.save_answer(w.token, "peur_autonomie", np.bool_(True)),
     "value_invalid", ["peur_autonomie"]),
    ("text for a number", lambda w: w.store.save_answer(w.token, "peur_autonomie", "3"),
     "value_invalid", ["peur_autonomie", "'3'"]),
    ("nan choice", lambda w: w.store.save_answer(w.token, "regle_claire", NAN),
     "value_invalid", ["regle_claire", "nan"]),
    # item ids that are not ids
    ("item id list", lambda w: w.store.save_answer(w.token, ["peur_autonomie"], 3),
     "unknown_item", ["['peur_autonomie']", "mini"]),
    ("item id dict", lambda w: w.store.save_answer(w.token, {"a": 1}, 3), "unknown_item",
     ["{'a': 1}"]),
    ("item id None", lambda w: w.store.save_answer(w.token, None, 3), "unknown_item", ["mini"]),
    ("item id with NUL", lambda w: w.store.save_answer(w.token, "peur\x00", 3),
     "unknown_item", ["peur\\x00"]),
    # texts no database stores alike
    ("surrogate in text", lambda w: w.store.save_answer(w.token, "remarque", "abc\ud800def"),
     "bad_character", ["remarque", "U+D800", "4"]),
    ("NUL in text", lambda w: w.store.save_answer(w.token, "remarque", "abc\x00def"),
     "bad_character", ["remarque", "U+0000"]),
    ("NUL in a choice", lambda w: w.store.save_answer(w.token, "canaux", ["mail\x00"]),
     "value_invalid", ["canaux"]),
    ("NUL in establishment", lambda w: w.store.join(w.workshop.code, "personnel", "CH\x00Nord"),
     "bad_character", ["establishment", "U+0000"]),
    ("surrogate in establishment",
     lambda w: w.store.join(w.workshop.code, "personnel", "CH \udc80"), "bad_character",
     ["establishment", "U+DC80"]),
    ("NUL in group", lambda w: w.store.join(w.workshop.code, "perso\x00nnel"),
     "not_allowed_hint", ["group", "perso\\x00nnel"]),
    ("group list", lambda w: w.store.join(w.workshop.code, ["personnel"]), "not_allowed",
     ["group", "['personnel']"]),
    ("NUL in join code", lambda w: w.store.join("AB\x00CDE", "personnel"), "unknown_code",
     ["AB\\x00CDE"]),
    ("NUL in project name", lambda w: w.store.create_project("Achats\x00"), "bad_character",
     ["name", "U+0000"]),
    ("surrogate in purpose", lambda w: w.store.create_project("Ok", purpose="x\ud800"),
     "bad_character", ["purpose", "U+D800"]),
    ("NUL in promoter", lambda w: w.store.create_project("Ok", promoter="\x00GHT"),
     "bad_character", ["promoter"]),
    ("NUL in new name", lambda w: w.store.update_project(w.project, name="A\x00"),
     "bad_character", ["name"]),
    ("NUL in partner", lambda w: w.store.add_partner(w.project, "EHPAD\x00"), "bad_character",
     ["establishment"]),
    ("NUL in wave", lambda w: w.store.open_workshop(w.project, Q, wave="T\x000"),
     "bad_character", ["wave"]),
    ("surrogate in title", lambda w: w.store.open_workshop(w.project, Q, title="\ud83d"),
     "bad_character", ["title", "U+D83D"]),
    ("nan k", lambda w: w.store.open_workshop(w.project, Q, k=NAN), "invalid_k", ["nan"]),
    ("NUL in proposal", lambda w: w.store.add_proposal(w.project, "Former\x00", "personnel"),
     "bad_character", ["text"]),
    ("NUL in owner", lambda w: w.store.update_proposal(w.proposal, owner="M.\x00"),
     "bad_character", ["owner"]),
    ("NUL in hash", lambda w: w.store.questionnaire("ab\x00"), "unknown_questionnaire",
     ["ab\\x00"]),
    ("hash that is no hash", lambda w: w.store.open_workshop(w.project, "abc"),
     "unknown_questionnaire", ["'abc'"]),
    # tokens: refused without a word about them
    ("NUL after a real token",
     lambda w: w.store.save_answer(w.token + "\x00", "remarque", "x"), "unknown_token", []),
    ("surrogate in a token",
     lambda w: w.store.save_answer(w.token[:8] + "\ud800" + w.token[8:], "remarque", "x"),
     "unknown_token", []),
    ("token None", lambda w: w.store.save_answer(None, "remarque", "x"), "unknown_token", []),
    ("token list", lambda w: w.store.save_answer([w.token], "remarque", "x"),
     "unknown_token", []),
    ("validate NUL token", lambda w: w.store.validate(w.token + "\x00"), "unknown_token", []),
    ("resume NUL token", lambda w: w.store.resume("\x00" + w.token), "unknown_token", []),
    ("resume surrogate code", lambda w: w.store.resume(w.resume + "\udfff"), "unknown_token",
     []),
    ("erase NUL token", lambda w: w.store.erase_participant(w.token + "\x00"),
     "unknown_token", []),
    ("answers NUL token", lambda w: w.store.answers(w.token + "\x00"), "unknown_token", []),
    # items not asked of the participant's group (Item.asked_of)
    ("item of another group", lambda w: w.store.save_answer(w.token, "medical_only", 3),
     "not_asked", ["medical_only", "personnel"]),
    ("estimate of one's own group",
     lambda w: w.store.save_answer(w.token, "about_personnel", 3), "not_asked",
     ["about_personnel", "personnel"]),
    # ids that are not ids, or beyond what any record can have
    ("answers_frame text", lambda w: w.store.answers_frame("abc"), "not_an_id",
     ["workshop", "'abc'"]),
    ("answers_frame huge", lambda w: w.store.answers_frame(HUGE), "unknown_workshop",
     [str(HUGE)]),
    ("answers_frame float", lambda w: w.store.answers_frame(1.5), "not_an_id", ["1.5"]),
    ("answers_frame None", lambda w: w.store.answers_frame(None), "not_an_id", ["workshop"]),
    ("answers_frame bool", lambda w: w.store.answers_frame(True), "not_an_id", ["True"]),
    ("answers_frame negative", lambda w: w.store.answers_frame(-3), "unknown_workshop",
     ["-3"]),
    ("close_workshop text", lambda w: w.store.close_workshop("abc"), "not_an_id",
     ["workshop", "'abc'"]),
    ("close_workshop huge", lambda w: w.store.close_workshop(HUGE), "unknown_workshop",
     [str(HUGE)]),
    ("reopen_workshop text", lambda w: w.store.reopen_workshop("1"), "not_an_id", ["'1'"]),
    ("participation text", lambda w: w.store.participation("abc"), "not_an_id", ["'abc'"]),
    ("settings of workshop text",
     lambda w: w.store.set_workshop_settings("abc", show_tendencies=True), "not_an_id",
     ["workshop", "'abc'"]),
    ("workshop huge", lambda w: w.store.workshop(HUGE), "unknown_workshop", [str(HUGE)]),
    ("workshops text", lambda w: w.store.workshops("x"), "not_an_id", ["project", "'x'"]),
    ("project text", lambda w: w.store.project("abc"), "not_an_id", ["project", "'abc'"]),
    ("update_project huge", lambda w: w.store.update_project(HUGE, name="x"),
     "unknown_project", [str(HUGE)]),
    ("delete_project text", lambda w: w.store.delete_project("1"), "not_an_id", ["'1'"]),
    ("partners huge", lambda w: w.store.partners(HUGE), "unknown_project", [str(HUGE)]),
    ("add_partner text", lambda w: w.store.add_partner("x", "EHPAD"), "not_an_id", ["'x'"]),
    ("set_groups huge", lambda w: w.store.set_groups(HUGE, ["personnel"]), "unknown_project",
     [str(HUGE)]),
    ("groups text", lambda w: w.store.groups("x"), "not_an_id", ["'x'"]),
    ("open_workshop text", lambda w: w.store.open_workshop("abc", Q), "not_an_id",
     ["project", "'abc'"]),
    ("proposals_frame text", lambda w: w.store.proposals_frame("x"), "not_an_id", ["'x'"]),
    ("proposal huge", lambda w: w.store.proposal(HUGE), "unknown_proposal", [str(HUGE)]),
    ("update_proposal text", lambda w: w.store.update_proposal("x", status="done"),
     "not_an_id", ["proposal", "'x'"]),
    ("proposal on workshop text",
     lambda w: w.store.add_proposal(w.project, "Texte", "personnel", workshop_id="abc"),
     "not_an_id", ["workshop_id", "'abc'"]),
    ("proposal on workshop huge",
     lambda w: w.store.add_proposal(w.project, "Texte", "personnel", workshop_id=HUGE),
     "unknown_workshop", [str(HUGE)]),
    ("proposal of project huge", lambda w: w.store.add_proposal(HUGE, "Texte", "personnel"),
     "unknown_project", [str(HUGE)]),
]


@pytest.mark.parametrize(("call", "code", "fragments"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_is_a_coopkit_error_that_names_it_and_writes_nothing(
        world, call, code, fragments):
    before = dump(world.store)
    hidden = secrets_of(world.store)
    with pytest.raises(CoopkitError) as caught:
        call(world)
    error = caught.value
    assert error.codes == [code]
    french, english = error.format("fr"), error.format("en")
    for fragment in fragments:
        assert fragment in french, french
    assert french != english and "error." not in english and "fix." not in english
    shown = "\n".join([french, english, str(error),
                       "".join(traceback.format_exception(error))])
    shown.encode("utf-8")  # printable anywhere: no lone surrogate in a message
    assert "\x00" not in shown
    for secret in hidden:  # never a token nor a resume code, not even in the traceback
        assert secret not in shown and secret[:16] not in shown
    assert dump(world.store) == before  # nothing written


@pytest.mark.parametrize("value", [np.int64(3), np.int32(3), np.float64(3.0), 3.0, 3],
                         ids=["int64", "int32", "float64", "float", "int"])
def test_whole_numbers_of_any_type_are_stored_as_int(world, value):
    stored = world.store.save_answer(world.token, "peur_autonomie", value)
    assert stored == 3 and type(stored) is int
    assert world.store.answers(world.token)["peur_autonomie"] == 3
    frame = world.store.answers_frame(np.int64(world.workshop.id))  # numpy ids too
    assert set(frame["value"][frame["item_id"] == "peur_autonomie"]) == {3}


def test_items_asked_of_the_group_are_still_accepted(world):
    world.store.save_answer(world.medical, "medical_only", 5)
    world.store.save_answer(world.medical, "about_personnel", 4)  # estimating another group
    assert world.store.answers(world.medical) == {"medical_only": 5, "about_personnel": 4}


def test_texts_with_other_control_characters_and_emoji_are_kept(world):
    note = "ligne 1\nligne 2\ttab 🙂"
    world.store.save_answer(world.token, "remarque", note)
    assert world.store.answers(world.token)["remarque"] == note


def test_the_connection_layer_never_lets_a_driver_error_carry_parameters(world):
    """The root guard: a query the checks would never let through still ends as
    coopkit's own error, without the statement's parameters (here, a real token)."""
    store = world.store
    bad = world.token + "\ud800"  # no driver encodes a lone surrogate
    if store.backend == "postgresql":
        bad = world.token + "\x00"  # PostgreSQL refuses NUL in text
    before = dump(store)
    for connect in (read_connection, write_connection):
        with pytest.raises(CoopkitError) as caught, connect(store._engine) as conn:
            conn.execute(select(participants).where(participants.c.token == bad)).all()
        error = caught.value
        assert error.codes == ["store_refused"]
        shown = error.format("fr") + "".join(traceback.format_exception(error))
        assert world.token not in shown and world.token[:16] not in shown
        assert error.__cause__ is None and error.__suppress_context__
    with pytest.raises(CoopkitError) as caught, write_connection(store._engine) as conn:
        conn.execute(text("SELECT 1 FROM no_such_table WHERE x = :token"), {"token": bad})
    assert caught.value.codes == ["store_refused"]
    assert world.token not in caught.value.format("en")
    assert dump(store) == before


def test_completion_counts_only_the_items_asked_of_the_group(world):
    """A participant who answered everything shown to them is complete (1.0): items for
    another group and estimates of their own group are not expected from them."""
    store = world.store
    code = world.workshop.code
    person = store.join(code, "personnel")
    for item in Q.items():
        if item.asked_of("personnel"):
            value = {"scale": 2, "intensity": 3, "single": "oui", "multiple": ["mail"],
                     "text": "ok"}[item.type]
            store.save_answer(person.token, item.id, value)
    frame = store.answers_frame(world.workshop.id)
    pid = int(frame.loc[frame["item_id"] == "canaux", "participant"].iloc[0])
    own = analysis.completion(frame, Q, level="overall", participant=pid)
    assert own["completion"].iloc[0] == pytest.approx(1.0)
    assert not math.isnan(own["completion"].iloc[0])
