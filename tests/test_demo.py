"""``coopkit demo``: a realistic project written through the store's public API,
identical from one build to the next, kept when present, rebuilt with ``--reset``."""

from __future__ import annotations

import pandas as pd
import pytest

from coopkit import open_store
from coopkit.cli import main
from coopkit.definitions import method
from coopkit.demo import DEMO_NAME, PROFILES, READINESS_PROFILES, build_demo, find_demo

pytestmark = pytest.mark.slow


def snapshot(data) -> dict[str, object]:
    """The demo's content without tokens, timestamps or database ids."""
    with open_store(data=str(data)) as store:
        project_id = find_demo(store)
        assert project_id is not None
        out: dict[str, object] = {"partners": [p.name for p in store.partners(project_id)],
                                  "groups": store.groups(project_id)}
        for ws in store.workshops(project_id):
            frame = store.answers_frame(ws.id)
            # Participants renumbered in order of arrival: ids differ across databases.
            order = {p: i for i, p in enumerate(dict.fromkeys(frame["participant"]))}
            frame = frame.assign(participant=frame["participant"].map(order))
            keep = ["participant", "group", "establishment", "validated", "item_id", "value"]
            key = f"{ws.questionnaire_id}/{ws.wave}"
            out[key] = frame[keep].astype(str).to_dict("records")
            out[key + "/open"] = ws.is_open
        proposals = store.proposals_frame(project_id)
        cols = ["text", "group", "feeling", "theme", "principle", "plan", "status", "owner",
                "due"]
        out["proposals"] = proposals[cols].astype(str).to_dict("records")
    return out


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--data", str(data)]) == 0
    return data


def test_command_says_created_then_exists(demo_dir, capsys, tmp_path):
    assert main(["demo", "--data", str(demo_dir)]) == 0
    assert "existe déjà" in capsys.readouterr().out
    with open_store(data=str(demo_dir)) as store:
        assert [p.name for p in store.projects()].count(DEMO_NAME) == 1


def test_two_builds_give_the_same_content(demo_dir, tmp_path):
    assert main(["demo", "--data", str(tmp_path), "--lang", "en"]) == 0
    assert snapshot(tmp_path) == snapshot(demo_dir)


def test_reset_recreates(tmp_path):
    with open_store(data=str(tmp_path)) as store:
        other = store.create_project("Un autre projet")
        first, created = build_demo(store)
        assert created
        created_at = store.project(first).created_at
        store.update_proposal(store.proposals(first)[0].id, status="dropped",
                              reason="Essai")
        before = len(store.workshops())
    before_content = snapshot(tmp_path)
    assert main(["demo", "--data", str(tmp_path), "--reset"]) == 0
    with open_store(data=str(tmp_path)) as store:
        again = find_demo(store)
        assert store.project(again).created_at > created_at
        assert len(store.workshops()) == before
        assert store.project(other).name == "Un autre projet"  # other projects kept
    after = snapshot(tmp_path)
    assert after != before_content  # the changed status is back to the original
    assert after["proposals"][0]["status"] == "done"
    assert {k: v for k, v in after.items() if k != "proposals"} == \
        {k: v for k, v in before_content.items() if k != "proposals"}


def test_counts_per_group(demo_dir):
    expected = {"ressentis": {p.group: p.size for p in PROFILES},
                "pret-cooperation": {p.group: p.size for p in READINESS_PROFILES}}
    assert [sum(e.values()) for e in expected.values()] == [40, 40]
    with open_store(data=str(demo_dir)) as store:
        project_id = find_demo(store)
        workshops = store.workshops(project_id)
        assert sorted((w.questionnaire_id, w.wave) for w in workshops) == [
            ("pret-cooperation", "T0"), ("pret-cooperation", "T1"),
            ("ressentis", "T0"), ("ressentis", "T1")]
        assert [w.is_open for w in workshops].count(True) == 1
        for ws in workshops:
            counts = store.participation(ws.id)
            assert {g: c.joined for g, c in counts.items()} == expected[ws.questionnaire_id]
            validated = sum(c.validated for c in counts.values())
            assert validated == 40 if not ws.is_open else 36 <= validated < 40
        assert len(store.partners(project_id)) == 3


def test_every_status_present(demo_dir):
    with open_store(data=str(demo_dir)) as store:
        proposals = store.proposals_frame(find_demo(store))
    assert set(proposals["status"]) == set(method.STATUS_IDS)
    assert set(proposals["plan"]) == set(method.PLAN_IDS)


def test_the_follow_up_is_seeded(demo_dir):
    from coopkit.analysis import commitment, matrix_check, purpose_history
    from coopkit.demo import DEMO_FIRST_PURPOSE, DEMO_PURPOSE, PARTNERS

    with open_store(data=str(demo_dir)) as store:
        pid = find_demo(store)
        assert not DEMO_PURPOSE.startswith("Mutualiser")  # a purpose, not a means
        assert store.project(pid).purpose == DEMO_PURPOSE
        history = purpose_history(store.purpose_versions_frame(pid),
                                  store.purpose_acceptances_frame(pid), list(PARTNERS))
        assert history["text"].tolist() == [DEMO_FIRST_PURPOSE, DEMO_PURPOSE]
        assert history["state"].tolist() == ["declined", "accepted"]
        wordings = store.purpose_wordings_frame(pid)
        assert (wordings["source"] == "participant").all() and len(wordings) == 7
        assert (wordings["moderation"] == "rejected").sum() == 1
        record = store.promoter_commitment(pid)
        assert record is not None and record.committed_on.isoformat() == "2024-01-18"
        events = store.proposal_events_frame(pid)
        dropped = events[events["status"] == "dropped"]
        assert len(dropped) == 2 and dropped["reason"].notna().all()
        proposals = store.proposals_frame(pid)
        assert proposals["establishment"].notna().sum() >= 8
        assert sum(bool(s) for s in proposals["statements"]) >= 9
        pending = store.proposals(pid, moderation="pending")
        assert [p.source for p in pending] == ["participant"]  # sent from a phone
        com = commitment(proposals, committed_on=record.committed_on).iloc[0]
        assert (com["total"], com["retained"], com["done"], com["state"]) == (
            12, 8, 4, "on_track")
        checks = matrix_check(store.responsibility_frame(pid), list(PARTNERS))
        assert checks.set_index("check").loc["deciders", "names"] == [
            "Arbitrer un désaccord entre partenaires"]


def test_patterns_differ_per_group_and_wave(demo_dir):
    from coopkit.analysis import feelings_map

    with open_store(data=str(demo_dir)) as store:
        ws = {w.wave: w.id for w in store.workshops(find_demo(store))
              if w.questionnaire_id == "ressentis"}
        t0 = feelings_map(store.answers_frame(ws["T0"]))
        t1 = feelings_map(store.answers_frame(ws["T1"]))

    def cell(frame: pd.DataFrame, group: str, theme: str, feeling: str) -> float:
        row = frame[(frame["group"] == group) & (frame["theme"] == theme)
                    & (frame["feeling"] == feeling)]
        return float(row["mean"].iloc[0])

    soignants_t0 = cell(t0, "medical_soignant", "accompagnement", "peur")
    assert soignants_t0 > 0.7
    assert cell(t1, "medical_soignant", "accompagnement", "peur") < soignants_t0 - 0.2
    assert cell(t0, "direction_generale", "qualite", "attrait") > 0.75
    assert cell(t0, "elus_population", "qualite", "peur") > 0.7


def test_not_concerned_answers_and_readiness_rising(demo_dir):
    from coopkit.analysis import feelings_map, readiness

    with open_store(data=str(demo_dir)) as store:
        ws = {(w.questionnaire_id, w.wave): w for w in store.workshops(find_demo(store))}
        t0 = store.answers_frame(ws["ressentis", "T0"].id)
        # « Ne me concerne pas » is given, only where offered, and counted in the map
        na = t0[t0["value"] == "na"]
        assert len(na) > 0 and na["score"].isna().all()
        q = store.questionnaire(ws["ressentis", "T0"].questionnaire_hash)
        assert all(q.item(i).not_concerned for i in na["item_id"])
        fmap = feelings_map(t0)
        assert fmap["not_concerned"].sum() > 0
        # statements about one's establishment are never put to elected officials
        elus = set(t0.loc[t0["group"] == "elus_population", "item_id"])
        assert not any("mon établissement" in q.item(i).text.fr for i in elus)
        pret = {w: readiness(store.answers_frame(ws["pret-cooperation", w].id),
                             store.questionnaire(ws["pret-cooperation", w].questionnaire_hash),
                             level="overall") for w in ("T0", "T1")}
    assert pret["T1"]["score"].iloc[0] > pret["T0"]["score"].iloc[0] + 0.1
