"""The store's follow-up of a project after the map: action proposals and their dated
history, the promoter's commitment, the common purpose co-written (wordings, versions,
each partner's acceptance), the rows of the three plans and the responsibility matrix.

A mixin of :class:`coopkit.store.core.Store` (it uses the store's connections and
checks); every write is one short transaction and every user mistake a
:class:`~coopkit.errors.CoopkitError` raised before anything is written. Knows nothing
of analysis, widgets or files.

**Participants' contributions are anonymous.** A purpose wording sent from a phone
keeps only its workshop; an action proposal keeps the sender's group and establishment
(a proposal is collective: the group that makes it is part of it, as when the
consultant types it), never the participant. Both wait in moderation (``"pending"``)
until the consultant approves them; only approved proposals count for the 60 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, insert, select, update

from coopkit.definitions import method
from coopkit.errors import fail
from coopkit.store import checks, frames
from coopkit.store.checks import NAME_LIMIT, PROPOSAL_FIELDS, PROPOSAL_LIMIT, PURPOSE_LIMIT
from coopkit.store.records import (
    Commitment,
    PlanRow,
    Proposal,
    ProposalEvent,
    PurposeAcceptance,
    PurposeVersion,
    PurposeWording,
    Responsibility,
    ResponsibilityActor,
    proposal_from,
)
from coopkit.store.schema import (
    commitments,
    partners,
    plan_rows,
    projects,
    proposal_events,
    proposals,
    purpose_acceptances,
    purpose_versions,
    purpose_wordings,
    responsibilities,
    responsibility_actors,
    utcnow,
    workshops,
)

if TYPE_CHECKING:
    import pandas as pd

#: The moderation states shown by default: what the room may see and what counts.
APPROVED = ("approved",)
_ACTOR_KINDS = ("partner", "body")
_PLAN_SOURCES = ("statement", "proposal", "manual")


class FollowUp:
    """Proposals, commitment, purpose, plans and responsibilities (see module doc)."""

    # The store provides _write, _read, _require_project, _require_workshop and
    # _participant_row.

    # -------------------------------------------------------------- proposals

    def add_proposal(self, project_id: int, text: str, group: str, *,
                     feeling: str | None = None, theme: str | None = None,
                     principle: int | None = None, plan: str | None = None,
                     status: str = "proposed", owner: str | None = None,
                     due: date | str | None = None, workshop_id: int | None = None,
                     establishment: str | None = None, statements: Iterable[str] = (),
                     source: str = "consultant", moderation: str | None = None,
                     by: str | None = None, reason: str | None = None,
                     on: date | datetime | str | None = None) -> int:
        """An action proposal from a stakeholder group; returns its id.

        Without ``plan``, a proposal tied to a feeling goes to the plan that feeling
        feeds (attractions -> objectives, fears -> risks, temptations -> charter).
        ``establishment``: the partner the proposing people come from (one of the
        project's partners); ``statements``: the item ids the action addresses.
        ``source`` is ``"consultant"`` (approved at once) or ``"participant"`` (waits in
        moderation, ``"pending"``, unless ``moderation`` says otherwise). ``on``: when it
        was made (default now). The history starts with « proposed » on that date; a
        proposal added with another ``status`` gets that change too, by ``by``, with
        ``reason`` (required for « dropped »).
        """
        project_id = checks.ident("project", project_id, "unknown_project")
        values = checks.proposal_values({
            "text": text, "group": group, "feeling": feeling, "theme": theme,
            "principle": principle, "plan": plan, "status": status, "owner": owner,
            "due": due, "workshop_id": workshop_id, "establishment": establishment,
            "statements": list(statements or ()),
        })
        values["source"] = checks.allowed("source", source, method.SOURCES)
        default = "approved" if source == "consultant" else "pending"
        values["moderation"] = checks.allowed("moderation", moderation or default,
                                              method.MODERATION)
        if values["plan"] is None and values["feeling"] is not None:
            values["plan"] = method.PLAN_OF_FEELING.get(values["feeling"])
        who = checks.text("by", by, NAME_LIMIT, required=False)
        why = checks.text("reason", reason, checks.REASON_LIMIT, required=False)
        if values["status"] == "dropped" and not why:
            raise fail("reason_required", field="reason", value=text)
        now = utcnow()
        made = checks.when("on", on) or now
        with self._write() as conn:
            self._require_project(conn, project_id)
            self._check_proposal_workshop(conn, project_id, values["workshop_id"])
            self._check_establishment(conn, project_id, values)
            self._check_statements(conn, project_id, values)
            if values["moderation"] != "pending":
                values["moderated_at"] = now
            new_id = conn.execute(insert(proposals).values(
                {**values, "project_id": project_id, "created_at": made, "updated_at": now}
            )).inserted_primary_key[0]
            events = [{"proposal_id": new_id, "status": "proposed", "previous": None,
                       "changed_at": made, "changed_by": who, "reason": None,
                       "recorded_at": now}]
            if values["status"] != "proposed":
                events.append({"proposal_id": new_id, "status": values["status"],
                               "previous": "proposed", "changed_at": made,
                               "changed_by": who, "reason": why, "recorded_at": now})
            conn.execute(insert(proposal_events), events)
        return new_id

    def add_participant_proposal(self, token: str, text: str, *,
                                 feeling: str | None = None, theme: str | None = None,
                                 plan: str | None = None) -> int:
        """An action proposal sent from a participant's phone; returns its id.

        It takes the participant's group and establishment (never the participant:
        nothing ties it back to a person), belongs to the participant's workshop and
        waits in moderation (``"pending"``) until :meth:`moderate_proposal`. Refused
        once the workshop is closed."""
        with self._read() as conn:
            row = self._participant_row(conn, token)
            ws = self._require_workshop(conn, row.workshop_id)
        if not ws.is_open:
            raise fail("workshop_closed", field="code", value=ws.code)
        establishment = row.establishment
        return self.add_proposal(ws.project_id, text, row.group_id, feeling=feeling,
                                 theme=theme, plan=plan, workshop_id=ws.id,
                                 establishment=establishment, source="participant")

    def moderate_proposal(self, proposal_id: int, accepted: bool) -> Proposal:
        """Approve (``accepted=True``: the room may see it, it counts for the 60 %) or
        set aside (``False``: a duplicate, off-topic or abusive text) a proposal."""
        proposal_id = checks.ident("proposal", proposal_id, "unknown_proposal")
        if not isinstance(accepted, bool):
            raise fail("setting_not_bool", field="accepted", value=accepted)
        with self._write() as conn:
            self._proposal_row(conn, proposal_id)
            conn.execute(update(proposals).where(proposals.c.id == proposal_id).values(
                moderation="approved" if accepted else "rejected", moderated_at=utcnow()))
        return self.proposal(proposal_id)

    def update_proposal(self, proposal_id: int, *, by: str | None = None,
                        reason: str | None = None, on: date | datetime | str | None = None,
                        **fields: object) -> Proposal:
        """Change fields of a proposal (``status``, ``owner``, ``due``, ``plan``,
        ``establishment``, ``statements``...).

        A change of ``status`` is dated (``on``, default now), signed (``by``) and
        explained (``reason``: required for « dropped »), as :meth:`set_proposal_status`.
        """
        proposal_id = checks.ident("proposal", proposal_id, "unknown_proposal")
        for key in fields:
            checks.known_field(key, PROPOSAL_FIELDS)
        values = checks.proposal_values(fields)
        who = checks.text("by", by, NAME_LIMIT, required=False)
        why = checks.text("reason", reason, checks.REASON_LIMIT, required=False)
        moment = checks.when("on", on)
        with self._write() as conn:
            row = self._proposal_row(conn, proposal_id)
            if "workshop_id" in values:
                self._check_proposal_workshop(conn, row.project_id, values["workshop_id"])
            self._check_establishment(conn, row.project_id, values)
            self._check_statements(conn, row.project_id, values)
            now = utcnow()
            status = values.get("status", row.status)
            if status != row.status:
                self._status_event(conn, row, status, who, why, moment or now, now)
            conn.execute(update(proposals).where(proposals.c.id == proposal_id)
                         .values({**values, "updated_at": now}))
        return self.proposal(proposal_id)

    def set_proposal_status(self, proposal_id: int, status: str, *, by: str | None = None,
                            reason: str | None = None,
                            on: date | datetime | str | None = None) -> Proposal:
        """Change a proposal's status and keep the change in its history: when
        (``on``, default now; never before the proposal was made), who (``by``) and why
        (``reason``, required for « dropped »). Setting the status it already has
        changes nothing."""
        proposal_id = checks.ident("proposal", proposal_id, "unknown_proposal")
        return self.update_proposal(proposal_id, status=status, by=by, reason=reason, on=on)

    def proposal(self, proposal_id: int) -> Proposal:
        proposal_id = checks.ident("proposal", proposal_id, "unknown_proposal")
        with self._read() as conn:
            return proposal_from(self._proposal_row(conn, proposal_id))

    def proposals(self, project_id: int, *,
                  moderation: str | Iterable[str] | None = APPROVED) -> list[Proposal]:
        """The project's proposals, oldest first: by default the approved ones (those
        the room sees and the 60 % counts); ``moderation="pending"`` for the queue to
        moderate, ``None`` for every one."""
        project_id = checks.ident("project", project_id, "unknown_project")
        query = select(proposals).where(proposals.c.project_id == project_id)
        wanted = _moderation(moderation)
        if wanted is not None:
            query = query.where(proposals.c.moderation.in_(wanted))
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(query.order_by(proposals.c.id)).all()
        return [proposal_from(r) for r in rows]

    def proposals_frame(self, project_id: int, *,
                        moderation: str | Iterable[str] | None = APPROVED) -> pd.DataFrame:
        """One row per action proposal of the project (approved ones by default)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        return frames.proposals_frame(self.proposals(project_id, moderation=moderation))

    def proposal_events(self, project_id: int) -> list[ProposalEvent]:
        """Every status change of the project's proposals, in the order they happened."""
        project_id = checks.ident("project", project_id, "unknown_project")
        query = (select(proposal_events)
                 .join(proposals, proposals.c.id == proposal_events.c.proposal_id)
                 .where(proposals.c.project_id == project_id)
                 .order_by(proposal_events.c.changed_at, proposal_events.c.id))
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(query).all()
        return [ProposalEvent(r.id, r.proposal_id, r.status, r.previous, r.changed_at,
                              r.changed_by, r.reason, r.recorded_at) for r in rows]

    def proposal_events_frame(self, project_id: int) -> pd.DataFrame:
        """One row per status change (columns of :data:`frames.EVENT_COLUMNS`)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        return frames.events_frame(self.proposal_events(project_id))

    # ------------------------------------------------------------- commitment

    def record_commitment(self, project_id: int, committed_on: date | str, by: str, *,
                          threshold: float = method.COMMITMENT_THRESHOLD,
                          note: str | None = None) -> Commitment:
        """Record the promoter's commitment to carry out at least ``threshold`` (60 %
        or more) of the stakeholders' proposals: the date and who committed (e.g. « le
        directeur du centre hospitalier, en comité de pilotage »). Until then the
        gauge reads « engagement non pris ». A later record replaces it (the earlier
        ones are kept)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        when = checks.day("committed_on", committed_on)
        who = checks.text("committed_by", by, NAME_LIMIT)
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not (
                method.COMMITMENT_THRESHOLD <= float(threshold) <= 1):
            raise fail("commitment_threshold", field="threshold", value=threshold)
        remark = checks.text("note", note, checks.REASON_LIMIT, required=False)
        with self._write() as conn:
            self._require_project(conn, project_id)
            conn.execute(insert(commitments).values(
                project_id=project_id, committed_on=when, committed_by=who,
                threshold=float(threshold), note=remark, recorded_at=utcnow()))
        found = self.promoter_commitment(project_id)
        assert found is not None
        return found

    def promoter_commitment(self, project_id: int) -> Commitment | None:
        """The promoter's commitment in force (the latest recorded), or None."""
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._read() as conn:
            self._require_project(conn, project_id)
            row = conn.execute(select(commitments)
                               .where(commitments.c.project_id == project_id)
                               .order_by(commitments.c.id.desc())).first()
        if row is None:
            return None
        return Commitment(row.id, row.project_id, row.committed_on, row.committed_by,
                          float(row.threshold), row.note, row.recorded_at)

    # ----------------------------------------------------------------- purpose

    def add_purpose_wording(self, token: str, text: str) -> int:
        """A participant proposes a wording of the common purpose from their phone;
        returns its id. Anonymous: only the workshop is kept (not the participant, nor
        their group). It waits in moderation (``"pending"``). Refused once the workshop
        is closed."""
        clean = checks.text("text", text, PURPOSE_LIMIT)
        with self._read() as conn:
            row = self._participant_row(conn, token)
        with self._write() as conn:
            ws = self._require_workshop(conn, row.workshop_id)
            if not ws.is_open:
                raise fail("workshop_closed", field="code", value=ws.code)
            return conn.execute(insert(purpose_wordings).values(
                project_id=ws.project_id, workshop_id=ws.id, text=clean,
                source="participant", moderation="pending", created_at=utcnow()
            )).inserted_primary_key[0]

    def record_purpose_wording(self, project_id: int, text: str, *,
                               workshop_id: int | None = None) -> int:
        """A wording the consultant notes (said aloud in the room, written on paper);
        approved at once. Returns its id."""
        project_id = checks.ident("project", project_id, "unknown_project")
        clean = checks.text("text", text, PURPOSE_LIMIT)
        with self._write() as conn:
            self._require_project(conn, project_id)
            self._check_proposal_workshop(conn, project_id, workshop_id)
            return conn.execute(insert(purpose_wordings).values(
                project_id=project_id, workshop_id=workshop_id, text=clean,
                source="consultant", moderation="approved", created_at=utcnow()
            )).inserted_primary_key[0]

    def moderate_wording(self, wording_id: int, accepted: bool) -> PurposeWording:
        """Approve or set aside a purpose wording."""
        wording_id = checks.ident("wording", wording_id, "unknown_wording")
        if not isinstance(accepted, bool):
            raise fail("setting_not_bool", field="accepted", value=accepted)
        with self._write() as conn:
            self._wording_row(conn, wording_id)
            conn.execute(update(purpose_wordings).where(purpose_wordings.c.id == wording_id)
                         .values(moderation="approved" if accepted else "rejected"))
        return self.purpose_wording(wording_id)

    def group_wordings(self, clusters: Mapping[int, str | None]) -> None:
        """Put wordings in named groups of similar ones (wording id -> group name, None
        or empty to take it out of its group), in one transaction."""
        clean = {checks.ident("wording", wid, "unknown_wording"):
                 checks.text("cluster", name, NAME_LIMIT, required=False)
                 for wid, name in clusters.items()}
        with self._write() as conn:
            for wid, name in clean.items():
                self._wording_row(conn, wid)
                conn.execute(update(purpose_wordings).where(purpose_wordings.c.id == wid)
                             .values(cluster=name))

    def purpose_wording(self, wording_id: int) -> PurposeWording:
        wording_id = checks.ident("wording", wording_id, "unknown_wording")
        with self._read() as conn:
            return _wording(self._wording_row(conn, wording_id))

    def purpose_wordings(self, project_id: int, *,
                         moderation: str | Iterable[str] | None = None
                         ) -> list[PurposeWording]:
        """The project's purpose wordings, oldest first (every one by default;
        ``moderation="pending"`` for those to moderate)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        query = select(purpose_wordings).where(purpose_wordings.c.project_id == project_id)
        wanted = _moderation(moderation)
        if wanted is not None:
            query = query.where(purpose_wordings.c.moderation.in_(wanted))
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(query.order_by(purpose_wordings.c.id)).all()
        return [_wording(r) for r in rows]

    def purpose_wordings_frame(self, project_id: int, *,
                               moderation: str | Iterable[str] | None = None
                               ) -> pd.DataFrame:
        project_id = checks.ident("project", project_id, "unknown_project")
        return frames.records_frame(self.purpose_wordings(project_id, moderation=moderation),
                                    frames.WORDING_COLUMNS)

    def add_purpose_version(self, project_id: int, text: str, *,
                            drafted_on: date | str | None = None, note: str | None = None,
                            wordings: Iterable[int] = ()) -> PurposeVersion:
        """A new version of the common purpose statement (numbered 1, 2, ...), drafted
        on ``drafted_on`` (default today) from ``wordings`` (ids); it becomes the
        project's purpose. Partners accept it with :meth:`accept_purpose`."""
        project_id = checks.ident("project", project_id, "unknown_project")
        clean = checks.text("purpose", text, PURPOSE_LIMIT)
        when = checks.day("drafted_on", drafted_on or utcnow().date())
        remark = checks.text("note", note, checks.REASON_LIMIT, required=False)
        ids = [checks.ident("wordings", w, "unknown_wording") for w in wordings]
        with self._write() as conn:
            self._require_project(conn, project_id)
            for wid in ids:
                if self._wording_row(conn, wid).project_id != project_id:
                    raise fail("unknown_wording", field="wordings", value=wid)
            self._new_version(conn, project_id, clean, when, remark, ids)
        return self.purpose_versions(project_id)[-1]

    def _new_version(self, conn: Connection, project_id: int, text: str, when: date,
                     note: str | None = None, wordings: list[int] | None = None) -> int:
        number = (conn.execute(select(func.max(purpose_versions.c.version))
                               .where(purpose_versions.c.project_id == project_id))
                  .scalar() or 0) + 1
        conn.execute(insert(purpose_versions).values(
            project_id=project_id, version=number, text=text, drafted_on=when, note=note,
            wordings=wordings or [], created_at=utcnow()))
        conn.execute(update(projects).where(projects.c.id == project_id)
                     .values(purpose=text))
        return number

    def purpose_versions(self, project_id: int) -> list[PurposeVersion]:
        """Every version of the common purpose, first one first."""
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(select(purpose_versions)
                                .where(purpose_versions.c.project_id == project_id)
                                .order_by(purpose_versions.c.version)).all()
        return [PurposeVersion(r.id, r.project_id, r.version, r.text, r.drafted_on, r.note,
                               tuple(r.wordings or ()), r.created_at) for r in rows]

    def purpose_versions_frame(self, project_id: int) -> pd.DataFrame:
        project_id = checks.ident("project", project_id, "unknown_project")
        return frames.records_frame(self.purpose_versions(project_id),
                                    frames.VERSION_COLUMNS)

    def accept_purpose(self, project_id: int, version: int, partner: str | int,
                       accepted_on: date | str, *, by: str | None = None,
                       accepted: bool = True, note: str | None = None) -> PurposeAcceptance:
        """Record a partner establishment's decision on a version of the purpose: it
        accepted it (or, ``accepted=False``, declined it) on ``accepted_on``, ``by``
        whom (e.g. « conseil d'administration »). Recording again for the same version
        and partner replaces the decision."""
        project_id = checks.ident("project", project_id, "unknown_project")
        version = checks.ident("version", version, "unknown_purpose_version")
        when = checks.day("accepted_on", accepted_on)
        who = checks.text("by", by, NAME_LIMIT, required=False)
        remark = checks.text("note", note, checks.REASON_LIMIT, required=False)
        if not isinstance(accepted, bool):
            raise fail("setting_not_bool", field="accepted", value=accepted)
        with self._write() as conn:
            self._require_project(conn, project_id)
            version_id = conn.execute(select(purpose_versions.c.id).where(
                purpose_versions.c.project_id == project_id,
                purpose_versions.c.version == version)).scalar()
            if version_id is None:
                raise fail("unknown_purpose_version", field="version", value=version)
            partner_id = self._partner_id(conn, project_id, partner)
            conn.execute(delete(purpose_acceptances).where(
                purpose_acceptances.c.version_id == version_id,
                purpose_acceptances.c.partner_id == partner_id))
            now = utcnow()
            new_id = conn.execute(insert(purpose_acceptances).values(
                version_id=version_id, partner_id=partner_id, accepted=accepted,
                decided_on=when, decided_by=who, note=remark, recorded_at=now)
            ).inserted_primary_key[0]
            name = conn.execute(select(partners.c.name)
                                .where(partners.c.id == partner_id)).scalar_one()
        return PurposeAcceptance(new_id, version, name, accepted, when, who, remark, now)

    def purpose_acceptances(self, project_id: int) -> list[PurposeAcceptance]:
        """Every partner's decision on every version, by version then partner."""
        project_id = checks.ident("project", project_id, "unknown_project")
        query = (select(purpose_acceptances, purpose_versions.c.version,
                        partners.c.name.label("partner"))
                 .join(purpose_versions,
                       purpose_versions.c.id == purpose_acceptances.c.version_id)
                 .join(partners, partners.c.id == purpose_acceptances.c.partner_id)
                 .where(purpose_versions.c.project_id == project_id)
                 .order_by(purpose_versions.c.version, partners.c.id))
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(query).all()
        return [PurposeAcceptance(r.id, r.version, r.partner, bool(r.accepted), r.decided_on,
                                  r.decided_by, r.note, r.recorded_at) for r in rows]

    def purpose_acceptances_frame(self, project_id: int) -> pd.DataFrame:
        project_id = checks.ident("project", project_id, "unknown_project")
        return frames.records_frame(self.purpose_acceptances(project_id),
                                    frames.ACCEPTANCE_COLUMNS)

    # ------------------------------------------------------------------- plans

    def add_plan_row(self, project_id: int, plan: str,
                     fields: Mapping[str, object] | None = None, *, source: str = "manual",
                     source_ref: str | int | None = None, groups: Iterable[str] = (),
                     position: int | None = None) -> PlanRow:
        """A row of one of the three plans (``plan``: ``objectifs``, ``risques`` or
        ``charte``), with its fields (:data:`~coopkit.definitions.method.PLAN_FIELDS`);
        placed last unless ``position`` says otherwise."""
        project_id = checks.ident("project", project_id, "unknown_project")
        plan = checks.allowed("plan", plan, method.PLAN_IDS)
        values = checks.plan_fields(plan, fields or {})
        source = checks.allowed("source", source, _PLAN_SOURCES)
        ids = [checks.group_id(g) for g in groups]
        with self._write() as conn:
            self._require_project(conn, project_id)
            new_id = self._insert_plan_row(conn, project_id, plan, values, source,
                                           source_ref, ids, position)
        return self.plan_row(new_id)

    def _insert_plan_row(self, conn: Connection, project_id: int, plan: str,
                         values: dict, source: str, source_ref: object, groups: list[str],
                         position: int | None) -> int:
        if position is None:
            position = (conn.execute(select(func.max(plan_rows.c.position)).where(
                plan_rows.c.project_id == project_id, plan_rows.c.plan == plan)).scalar()
                or 0) + 1
        now = utcnow()
        full = {name: values.get(name) for name in method.PLAN_FIELDS[plan]}
        return conn.execute(insert(plan_rows).values(
            project_id=project_id, plan=plan, position=int(position), fields=full,
            source=source, source_ref=None if source_ref is None else str(source_ref)[:64],
            groups=groups, created_at=now, updated_at=now)).inserted_primary_key[0]

    def fill_plans(self, project_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
        """Pre-fill the plans from a draft (e.g. :func:`coopkit.analysis.plans.prefill`):
        each mapping holds ``plan``, the plan's fields, and optionally ``source``,
        ``source_ref``, ``groups``. Only plans that have no row yet are filled, so the
        consultant's edits are never overwritten. Returns the number of rows added."""
        project_id = checks.ident("project", project_id, "unknown_project")
        checked = []
        for row in rows:
            plan = checks.allowed("plan", row.get("plan"), method.PLAN_IDS)
            fields = {k: row.get(k) for k in method.PLAN_FIELDS[plan] if k in row}
            checked.append((plan, checks.plan_fields(plan, fields),
                            checks.allowed("source", row.get("source") or "manual",
                                           _PLAN_SOURCES),
                            row.get("source_ref"),
                            [checks.group_id(g) for g in row.get("groups") or ()]))
        added = 0
        with self._write() as conn:
            self._require_project(conn, project_id)
            filled = set(conn.execute(select(plan_rows.c.plan).distinct().where(
                plan_rows.c.project_id == project_id)).scalars())
            for plan, values, source, ref, groups in checked:
                if plan in filled:
                    continue
                self._insert_plan_row(conn, project_id, plan, values, source, ref, groups,
                                      None)
                added += 1
        return added

    def update_plan_row(self, row_id: int, **fields: object) -> PlanRow:
        """Change fields of a plan row (e.g. ``target="80 %"``, ``owner="DRH"``); the
        other fields stay."""
        row_id = checks.ident("row", row_id, "unknown_plan_row")
        position = fields.pop("position", None)
        with self._write() as conn:
            row = self._plan_row(conn, row_id)
            values = checks.plan_fields(row.plan, fields)
            merged = {**dict(row.fields or {}), **values}
            change: dict[str, object] = {"fields": merged, "updated_at": utcnow()}
            if position is not None:
                if isinstance(position, bool) or not isinstance(position, int):
                    raise fail("not_allowed", field="position", value=position,
                               allowed="1, 2, 3...")
                change["position"] = position
            conn.execute(update(plan_rows).where(plan_rows.c.id == row_id).values(change))
        return self.plan_row(row_id)

    def delete_plan_row(self, row_id: int) -> None:
        row_id = checks.ident("row", row_id, "unknown_plan_row")
        with self._write() as conn:
            self._plan_row(conn, row_id)
            conn.execute(delete(plan_rows).where(plan_rows.c.id == row_id))

    def plan_row(self, row_id: int) -> PlanRow:
        row_id = checks.ident("row", row_id, "unknown_plan_row")
        with self._read() as conn:
            return _plan_row(self._plan_row(conn, row_id))

    def plan_rows(self, project_id: int, plan: str | None = None) -> list[PlanRow]:
        """The rows of the project's plans (of one plan when given), in plan order then
        position."""
        project_id = checks.ident("project", project_id, "unknown_project")
        query = select(plan_rows).where(plan_rows.c.project_id == project_id)
        if plan is not None:
            query = query.where(plan_rows.c.plan == checks.allowed("plan", plan,
                                                                   method.PLAN_IDS))
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = [_plan_row(r) for r in conn.execute(query)]
        order = {p: i for i, p in enumerate(method.PLAN_IDS)}
        return sorted(rows, key=lambda r: (order[r.plan], r.position, r.id))

    def plan_rows_frame(self, project_id: int) -> pd.DataFrame:
        """One row per plan row: ``id``, ``plan``, ``position``, ``source``,
        ``source_ref``, ``groups``, then every plan field (None where not the plan's)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        return frames.plan_rows_frame(self.plan_rows(project_id))

    # --------------------------------------------------------- responsibilities

    def add_responsibility_actor(self, project_id: int, name: str, kind: str = "body"
                                 ) -> ResponsibilityActor:
        """A column of the responsibility matrix: a partner establishment
        (``kind="partner"``) or a body (« comité de pilotage »...)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        clean = checks.text("name", name, NAME_LIMIT)
        kind = checks.allowed("kind", kind, _ACTOR_KINDS)
        with self._write() as conn:
            self._require_project(conn, project_id)
            taken = {n.casefold() for n in conn.execute(
                select(responsibility_actors.c.name)
                .where(responsibility_actors.c.project_id == project_id)).scalars()}
            if clean.casefold() in taken:
                raise fail("actor_exists", field="name", value=clean)
            position = (conn.execute(select(func.max(responsibility_actors.c.position))
                                     .where(responsibility_actors.c.project_id == project_id))
                        .scalar() or 0) + 1
            new_id = conn.execute(insert(responsibility_actors).values(
                project_id=project_id, name=clean, kind=kind, position=position)
            ).inserted_primary_key[0]
        return next(a for a in self.responsibility_actors(project_id) if a.id == new_id)

    def remove_responsibility_actor(self, actor_id: int) -> None:
        """Remove a column of the matrix, and its roles in every row."""
        actor_id = checks.ident("actor", actor_id, "unknown_actor_id")
        with self._write() as conn:
            actor = self._actor_row(conn, actor_id)
            for row in conn.execute(select(responsibilities).where(
                    responsibilities.c.project_id == actor.project_id)).all():
                roles = dict(row.roles or {})
                if roles.pop(str(actor_id), None) is not None:
                    conn.execute(update(responsibilities)
                                 .where(responsibilities.c.id == row.id)
                                 .values(roles=roles, updated_at=utcnow()))
            conn.execute(delete(responsibility_actors)
                         .where(responsibility_actors.c.id == actor_id))

    def responsibility_actors(self, project_id: int) -> list[ResponsibilityActor]:
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(select(responsibility_actors)
                                .where(responsibility_actors.c.project_id == project_id)
                                .order_by(responsibility_actors.c.position,
                                          responsibility_actors.c.id)).all()
        return [ResponsibilityActor(r.id, r.project_id, r.name, r.kind, r.position)
                for r in rows]

    def add_responsibility(self, project_id: int, subject: str, *, kind: str = "decision",
                           roles: Mapping[int | str, object] | None = None
                           ) -> Responsibility:
        """A row of the matrix: a decision or a task, with the roles of each actor
        (actor id or name -> role ids among ``decides``, ``consulted``, ``informed``,
        ``carries_out``)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        clean = checks.text("subject", subject, PROPOSAL_LIMIT)
        kind = checks.allowed("kind", kind, method.RESPONSIBILITY_KINDS)
        with self._write() as conn:
            self._require_project(conn, project_id)
            cells = self._roles(conn, project_id, roles or {})
            position = (conn.execute(select(func.max(responsibilities.c.position))
                                     .where(responsibilities.c.project_id == project_id))
                        .scalar() or 0) + 1
            now = utcnow()
            new_id = conn.execute(insert(responsibilities).values(
                project_id=project_id, subject=clean, kind=kind, position=position,
                roles=cells, created_at=now, updated_at=now)).inserted_primary_key[0]
        return self.responsibility(new_id)

    def update_responsibility(self, row_id: int, *, subject: str | None = None,
                              kind: str | None = None,
                              roles: Mapping[int | str, object] | None = None
                              ) -> Responsibility:
        """Change a row's subject, kind, or some actors' roles (the actors not named in
        ``roles`` keep theirs; an empty list clears an actor's cell)."""
        row_id = checks.ident("row", row_id, "unknown_responsibility")
        with self._write() as conn:
            row = self._responsibility_row(conn, row_id)
            change: dict[str, object] = {"updated_at": utcnow()}
            if subject is not None:
                change["subject"] = checks.text("subject", subject, PROPOSAL_LIMIT)
            if kind is not None:
                change["kind"] = checks.allowed("kind", kind, method.RESPONSIBILITY_KINDS)
            if roles is not None:
                merged = {**dict(row.roles or {}),
                          **self._roles(conn, row.project_id, roles, keep_empty=True)}
                change["roles"] = {a: r for a, r in merged.items() if r}
            conn.execute(update(responsibilities).where(responsibilities.c.id == row_id)
                         .values(change))
        return self.responsibility(row_id)

    def delete_responsibility(self, row_id: int) -> None:
        row_id = checks.ident("row", row_id, "unknown_responsibility")
        with self._write() as conn:
            self._responsibility_row(conn, row_id)
            conn.execute(delete(responsibilities).where(responsibilities.c.id == row_id))

    def responsibility(self, row_id: int) -> Responsibility:
        row_id = checks.ident("row", row_id, "unknown_responsibility")
        with self._read() as conn:
            return _responsibility(self._responsibility_row(conn, row_id))

    def responsibilities(self, project_id: int) -> list[Responsibility]:
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(select(responsibilities)
                                .where(responsibilities.c.project_id == project_id)
                                .order_by(responsibilities.c.position,
                                          responsibilities.c.id)).all()
        return [_responsibility(r) for r in rows]

    def responsibility_frame(self, project_id: int) -> pd.DataFrame:
        """The matrix in long form: one row per subject x actor x role (a subject with
        no role at all appears once, actor None). Columns of
        :data:`frames.RESPONSIBILITY_COLUMNS`; ``frame.attrs["actors"]`` lists the
        columns (name, kind) in order."""
        project_id = checks.ident("project", project_id, "unknown_project")
        return frames.responsibility_frame(self.responsibilities(project_id),
                                           self.responsibility_actors(project_id))

    # --------------------------------------------------------------- helpers

    def _proposal_row(self, conn: Connection, proposal_id: int):
        row = conn.execute(select(proposals).where(proposals.c.id == proposal_id)).first()
        if row is None:
            raise fail("unknown_proposal", field="proposal", value=proposal_id)
        return row

    def _status_event(self, conn: Connection, row, status: str, who: str | None,
                      why: str | None, moment: datetime, now: datetime) -> None:
        if status == "dropped" and not why:
            raise fail("reason_required", field="reason", value=row.text[:60])
        created = row.created_at
        if moment < created:
            raise fail("event_before_creation", field="on", value=moment.date().isoformat(),
                       created=created.date().isoformat())
        conn.execute(insert(proposal_events).values(
            proposal_id=row.id, status=status, previous=row.status, changed_at=moment,
            changed_by=who, reason=why, recorded_at=now))

    def _check_proposal_workshop(self, conn: Connection, project_id: int,
                                 workshop_id: int | None) -> None:
        if workshop_id is None:
            return
        row = self._require_workshop(conn, workshop_id)
        if row.project_id != project_id:
            raise fail("workshop_not_in_project", field="workshop_id", value=workshop_id,
                       project=project_id)

    def _check_establishment(self, conn: Connection, project_id: int, values: dict) -> None:
        place = values.get("establishment")
        if place is None:
            return
        names = list(conn.execute(select(partners.c.name)
                                  .where(partners.c.project_id == project_id)
                                  .order_by(partners.c.id)).scalars())
        if names:
            values["establishment"] = checks.partner_name(place, names)

    def _check_statements(self, conn: Connection, project_id: int, values: dict) -> None:
        wanted = values.get("statements")
        if not wanted:
            return
        known: set[str] = set()
        for (questionnaire_hash,) in conn.execute(
                select(workshops.c.questionnaire_hash).distinct()
                .where(workshops.c.project_id == project_id)):
            # read as the store reads every stored definition (its format, cached)
            known |= {it.id for it in self.questionnaire(questionnaire_hash).items()}
        if not known:
            return  # no questionnaire yet: nothing to check against
        for item_id in wanted:
            if item_id not in known:
                checks.allowed("statements", item_id, sorted(known))

    def _wording_row(self, conn: Connection, wording_id: int):
        row = conn.execute(select(purpose_wordings)
                           .where(purpose_wordings.c.id == wording_id)).first()
        if row is None:
            raise fail("unknown_wording", field="wording", value=wording_id)
        return row

    def _partner_id(self, conn: Connection, project_id: int, partner: str | int) -> int:
        rows = conn.execute(select(partners.c.id, partners.c.name)
                            .where(partners.c.project_id == project_id)
                            .order_by(partners.c.id)).all()
        if isinstance(partner, int) and not isinstance(partner, bool):
            for pid, _ in rows:
                if pid == partner:
                    return pid
            raise fail("unknown_partner", field="partner", value=partner,
                       allowed=", ".join(n for _, n in rows) or "-")
        name = checks.text("partner", partner, NAME_LIMIT)
        for pid, known in rows:
            if known.casefold() == name.casefold():
                return pid
        if not rows:
            raise fail("unknown_partner", field="partner", value=name, allowed="-")
        checks.allowed("partner", name, [n for _, n in rows])
        raise AssertionError("unreachable")  # pragma: no cover

    def _plan_row(self, conn: Connection, row_id: int):
        row = conn.execute(select(plan_rows).where(plan_rows.c.id == row_id)).first()
        if row is None:
            raise fail("unknown_plan_row", field="row", value=row_id)
        return row

    def _actor_row(self, conn: Connection, actor_id: int):
        row = conn.execute(select(responsibility_actors)
                           .where(responsibility_actors.c.id == actor_id)).first()
        if row is None:
            raise fail("unknown_actor_id", field="actor", value=actor_id)
        return row

    def _responsibility_row(self, conn: Connection, row_id: int):
        row = conn.execute(select(responsibilities)
                           .where(responsibilities.c.id == row_id)).first()
        if row is None:
            raise fail("unknown_responsibility", field="row", value=row_id)
        return row

    def _roles(self, conn: Connection, project_id: int, given: Mapping[int | str, object],
               *, keep_empty: bool = False) -> dict[str, list[str]]:
        actors = conn.execute(select(responsibility_actors.c.id, responsibility_actors.c.name)
                              .where(responsibility_actors.c.project_id == project_id)
                              ).all()
        by_id = {a.id: a.name for a in actors}
        by_name = {a.name.casefold(): a.id for a in actors}
        out: dict[str, list[str]] = {}
        for key, value in given.items():
            if isinstance(key, int) and not isinstance(key, bool) and key in by_id:
                actor = key
            elif isinstance(key, str) and key.casefold() in by_name:
                actor = by_name[key.casefold()]
            else:
                raise fail("unknown_actor", field="roles", value=key,
                           allowed=", ".join(by_id.values()) or "-")
            cell = checks.roles(value)
            if cell or keep_empty:
                out[str(actor)] = cell
        return out


# ------------------------------------------------------------------- helpers

def _moderation(moderation: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if moderation is None:
        return None
    wanted = (moderation,) if isinstance(moderation, str) else tuple(moderation)
    for state in wanted:
        checks.allowed("moderation", state, method.MODERATION)
    return wanted


def _wording(row) -> PurposeWording:
    return PurposeWording(row.id, row.project_id, row.workshop_id, row.text, row.source,
                          row.moderation, row.cluster, row.created_at)


def _plan_row(row) -> PlanRow:
    return PlanRow(row.id, row.project_id, row.plan, row.position, dict(row.fields or {}),
                   row.source, row.source_ref, tuple(row.groups or ()), row.created_at,
                   row.updated_at)


def _responsibility(row) -> Responsibility:
    roles = {int(a): list(r) for a, r in (row.roles or {}).items()}
    return Responsibility(row.id, row.project_id, row.subject, row.kind, row.position,
                          roles, row.created_at, row.updated_at)


def delete_follow_up(conn: Connection, project_id: int) -> None:
    """Delete everything this module wrote for a project (in a write transaction)."""
    versions = select(purpose_versions.c.id).where(purpose_versions.c.project_id == project_id)
    mine = select(proposals.c.id).where(proposals.c.project_id == project_id)
    conn.execute(delete(purpose_acceptances)
                 .where(purpose_acceptances.c.version_id.in_(versions)))
    conn.execute(delete(proposal_events).where(proposal_events.c.proposal_id.in_(mine)))
    for table in (responsibilities, responsibility_actors, plan_rows, commitments,
                  purpose_wordings, purpose_versions):
        conn.execute(delete(table).where(table.c.project_id == project_id))
__all__ = ["FollowUp", "delete_follow_up"]
