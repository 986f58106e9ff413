"""The store: projects, workshops, participants, answers, validations; the follow-up
(proposals and their history, commitment, purpose, plans, responsibilities) is the
:class:`~coopkit.store.followup.FollowUp` part of the same object.

One code path (SQLAlchemy Core) for the embedded SQLite file and PostgreSQL. Every
write is one short transaction (see :mod:`coopkit.store.engine`); every user mistake
is a :class:`~coopkit.errors.CoopkitError` raised *before* anything is written.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from coopkit.config import data_dir, database_url
from coopkit.definitions import method
from coopkit.definitions.questionnaire import (
    MAPPING_FORMAT,
    Questionnaire,
    content_hash,
    parse,
    to_mapping,
    upgrade_mapping,
)
from coopkit.errors import fail
from coopkit.store import checks, frames, reads
from coopkit.store.checks import NAME_LIMIT, PURPOSE_LIMIT, WAVE_LIMIT
from coopkit.store.codes import (
    format_resume_code,
    looks_like_code,
    looks_like_resume_code,
    new_join_code,
    new_resume_code,
    new_token,
    normalise_code,
)
from coopkit.store.engine import dispose, make_engine, read_connection, write_connection
from coopkit.store.followup import FollowUp, delete_follow_up
from coopkit.store.migrations import ensure_schema
from coopkit.store.records import (
    Activity,
    GroupCount,
    Participant,
    Partner,
    Project,
    Workshop,
    WorkshopSettings,
    project_from,
    workshop_from,
)
from coopkit.store.schema import (
    JSONValue,
    UTCDateTime,
    answers,
    participants,
    partners,
    project_groups,
    projects,
    proposals,
    questionnaires,
    utcnow,
    workshops,
)

if TYPE_CHECKING:
    import pandas as pd

_CODE_ATTEMPTS = 50
#: What a token issued by :func:`new_token` looks like (URL-safe base64).
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: A questionnaire's content hash (SHA-256, hexadecimal).
_HASH_SHAPE = re.compile(r"[0-9a-f]{64}")
_PROJECT_FIELDS = ("name", "purpose", "promoter")


@dataclass(frozen=True)
class _Ref:
    """What never changes about a participant once joined (cached per token)."""

    id: int
    workshop_id: int
    questionnaire_hash: str
    group: str


def open_store(url: str | None = None, *, data: str | os.PathLike[str] | None = None
               ) -> Store:
    """Open the store, creating or migrating its schema.

    ``url`` (e.g. ``postgresql://user@host/db``), else ``$COOPKIT_DATABASE_URL``, else
    the SQLite file ``coopkit.sqlite`` in the data folder (``data``, else
    ``$COOPKIT_DATA``, else ``./coopkit-data``).
    """
    return Store(database_url(url, data), data=data)


#: The key, in a stored definition, of the mapping format it was written in.
_FORMAT_KEY = "coopkit_format"


class Store(FollowUp):
    """Everything a workshop writes and the consultant reads back.

    Use it as a context manager, or call :meth:`close` when done.
    """

    def __init__(self, url: str, *, data: str | os.PathLike[str] | None = None):
        self._engine = make_engine(url)
        self._data = data
        self._questionnaires: dict[str, Questionnaire] = {}
        self._refs: dict[str, _Ref] = {}
        try:
            self.schema_found = ensure_schema(self._engine)
        except BaseException:
            dispose(self._engine)
            raise

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Release every connection (the SQLite WAL is checkpointed by the last one)."""
        dispose(self._engine)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        if self.backend != "sqlite":
            return None
        return Path(self._engine.url.database or "").expanduser().resolve()

    def _write(self):
        return write_connection(self._engine)

    def _read(self):
        return read_connection(self._engine)

    # ------------------------------------------------------------------- projects

    def create_project(self, name: str, purpose: str = "", promoter: str = "") -> int:
        """A new project; returns its id."""
        values = {
            "name": checks.text("name", name, NAME_LIMIT),
            "purpose": checks.text("purpose", purpose, PURPOSE_LIMIT, required=False) or "",
            "promoter": checks.text("promoter", promoter, NAME_LIMIT, required=False) or "",
            "created_at": utcnow(),
        }
        with self._write() as conn:
            new_id = conn.execute(insert(projects).values(values)).inserted_primary_key[0]
            if values["purpose"]:  # version 1 of the purpose's history
                self._new_version(conn, new_id, values["purpose"], values["created_at"].date())
            return new_id

    def update_project(self, project_id: int, **fields: str) -> Project:
        """Change a project's ``name``, ``purpose`` (common purpose statement) or
        ``promoter``. A new purpose becomes a new version of the purpose's history,
        drafted today (see :meth:`add_purpose_version` to give a date and a note)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        values = {}
        for key, value in fields.items():
            checks.known_field(key, _PROJECT_FIELDS)
            limit = PURPOSE_LIMIT if key == "purpose" else NAME_LIMIT
            values[key] = checks.text(key, value, limit, required=key == "name") or ""
        with self._write() as conn:
            self._require_project(conn, project_id)
            purpose = values.pop("purpose", None)
            current = conn.execute(select(projects.c.purpose)
                                   .where(projects.c.id == project_id)).scalar()
            if purpose and purpose != current:
                self._new_version(conn, project_id, purpose, utcnow().date())
            elif purpose is not None:
                values["purpose"] = purpose  # emptied, or unchanged
            if values:
                conn.execute(update(projects).where(projects.c.id == project_id)
                             .values(values))
        return self.project(project_id)

    def project(self, project_id: int) -> Project:
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._read() as conn:
            row = conn.execute(select(projects).where(projects.c.id == project_id)).first()
        if row is None:
            raise fail("unknown_project", field="project", value=project_id)
        return project_from(row)

    def projects(self) -> list[Project]:
        """Every project, oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(projects).order_by(projects.c.id)).all()
        return [project_from(r) for r in rows]

    def delete_project(self, project_id: int) -> None:
        """Delete a project with its partners, workshops, participants, answers,
        proposals and their history, purpose, plans and responsibility matrix.
        Questionnaire definitions stay (they hold no personal data)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._write() as conn:
            self._require_project(conn, project_id)
            ws_ids = select(workshops.c.id).where(workshops.c.project_id == project_id)
            p_ids = select(participants.c.id).where(participants.c.workshop_id.in_(ws_ids))
            tokens = conn.execute(select(participants.c.token)
                                  .where(participants.c.workshop_id.in_(ws_ids))).scalars()
            for token in tokens:
                self._refs.pop(token, None)
            delete_follow_up(conn, project_id)
            conn.execute(delete(answers).where(answers.c.participant_id.in_(p_ids)))
            conn.execute(delete(participants).where(participants.c.workshop_id.in_(ws_ids)))
            conn.execute(delete(proposals).where(proposals.c.project_id == project_id))
            conn.execute(delete(workshops).where(workshops.c.project_id == project_id))
            conn.execute(delete(partners).where(partners.c.project_id == project_id))
            conn.execute(delete(project_groups)
                         .where(project_groups.c.project_id == project_id))
            conn.execute(delete(projects).where(projects.c.id == project_id))

    def add_partner(self, project_id: int, name: str) -> int:
        """A partner establishment of the project; returns its id."""
        project_id = checks.ident("project", project_id, "unknown_project")
        clean = checks.text("establishment", name, NAME_LIMIT)
        try:
            with self._write() as conn:
                self._require_project(conn, project_id)
                return conn.execute(insert(partners).values(
                    project_id=project_id, name=clean)).inserted_primary_key[0]
        except IntegrityError:
            raise fail("partner_exists", field="establishment", value=clean) from None

    def partners(self, project_id: int) -> list[Partner]:
        """The partner establishments, in the order they were added."""
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._read() as conn:
            self._require_project(conn, project_id)
            rows = conn.execute(select(partners).where(partners.c.project_id == project_id)
                                .order_by(partners.c.id)).all()
        return [Partner(r.id, r.project_id, r.name) for r in rows]

    def set_groups(self, project_id: int, group_ids: Iterable[str]) -> None:
        """The stakeholder groups taking part in the project (method group ids)."""
        project_id = checks.ident("project", project_id, "unknown_project")
        chosen: list[str] = []
        for gid in group_ids:
            checks.allowed("groups", gid, method.GROUP_IDS)
            if gid not in chosen:
                chosen.append(gid)
        with self._write() as conn:
            self._require_project(conn, project_id)
            conn.execute(delete(project_groups)
                         .where(project_groups.c.project_id == project_id))
            if chosen:
                conn.execute(insert(project_groups),
                             [{"project_id": project_id, "group_id": g} for g in chosen])

    def groups(self, project_id: int) -> tuple[str, ...]:
        """The project's stakeholder groups, in the method's order."""
        project_id = checks.ident("project", project_id, "unknown_project")
        with self._read() as conn:
            self._require_project(conn, project_id)
            found = set(conn.execute(select(project_groups.c.group_id).where(
                project_groups.c.project_id == project_id)).scalars())
        return tuple(g for g in method.GROUP_IDS if g in found)

    # ------------------------------------------------------------- questionnaires

    def register_questionnaire(self, questionnaire: Questionnaire) -> str:
        """Keep the exact definition (by content hash); returns the hash."""
        digest = questionnaire.content_hash or content_hash(questionnaire)
        mapping = to_mapping(questionnaire)
        if parse(mapping).content_hash != digest:  # pragma: no cover - a bug, not a user error
            raise RuntimeError(f"questionnaire {questionnaire.id} does not round-trip")
        values = {
            "hash": digest, "questionnaire_id": questionnaire.id,
            "version": str(questionnaire.version),
            "definition": json.dumps({**mapping, _FORMAT_KEY: MAPPING_FORMAT},
                                     ensure_ascii=False, sort_keys=True),
            "registered_at": utcnow(),
        }
        with self._write() as conn:
            conn.execute(_insert(conn, questionnaires).values(values)
                         .on_conflict_do_nothing(index_elements=["hash"]))
        return digest

    def questionnaire(self, questionnaire_hash: str) -> Questionnaire:
        """The questionnaire exactly as it was when its answers were given."""
        found = self._questionnaires.get(questionnaire_hash) \
            if isinstance(questionnaire_hash, str) else None
        if found is not None:
            return found
        if not isinstance(questionnaire_hash, str) or not _HASH_SHAPE.fullmatch(
                questionnaire_hash):
            raise fail("unknown_questionnaire", field="questionnaire",
                       value=str(questionnaire_hash)[:12])
        with self._read() as conn:
            definition = conn.execute(select(questionnaires.c.definition).where(
                questionnaires.c.hash == questionnaire_hash)).scalar_one_or_none()
        if definition is None:
            raise fail("unknown_questionnaire", field="questionnaire",
                       value=str(questionnaire_hash)[:12])
        data = json.loads(definition)
        # Definitions stored before the format said who is asked apart from whom an
        # item is about carry no format: read them as they were meant then.
        data = upgrade_mapping(data, data.pop(_FORMAT_KEY, 1))
        parsed = parse(data, source=f"store:{questionnaire_hash[:12]}")
        # Its identity is the hash its answers are tied to, whatever the reading adds.
        parsed = replace(parsed, content_hash=questionnaire_hash)
        self._questionnaires[questionnaire_hash] = parsed
        return parsed

    # ------------------------------------------------------------------ workshops

    def open_workshop(self, project_id: int, questionnaire: Questionnaire | str,
                      wave: str = "T0", k: int = 5, lang: str = "fr",
                      title: str | None = None) -> Workshop:
        """Open a workshop: one run of a questionnaire for a project, with a join code.

        ``questionnaire`` is a :class:`Questionnaire` (registered on the way) or the
        content hash of one already registered. ``k`` is the anonymity threshold:
        results of fewer than ``k`` people are never shown apart.
        """
        project_id = checks.ident("project", project_id, "unknown_project")
        if isinstance(questionnaire, Questionnaire):
            digest = self.register_questionnaire(questionnaire)
            self._questionnaires.setdefault(digest, questionnaire)
        else:
            digest = str(questionnaire)
        q = self.questionnaire(digest)
        values = {
            "project_id": project_id, "questionnaire_id": q.id, "questionnaire_hash": digest,
            "wave": checks.text("wave", wave, WAVE_LIMIT),
            "title": checks.text("title", title, NAME_LIMIT, required=False),
            "is_open": True, "k": checks.anonymity_k(k),
            "lang": checks.allowed("lang", lang, q.languages),
            "created_at": utcnow(), "settings": WorkshopSettings().to_mapping(),
        }
        for _ in range(_CODE_ATTEMPTS):
            try:
                with self._write() as conn:
                    self._require_project(conn, project_id)
                    new_id = conn.execute(insert(workshops).values(
                        {**values, "code": new_join_code()})).inserted_primary_key[0]
                return self.workshop(new_id)
            except IntegrityError:  # the code is taken by an open workshop: draw again
                continue
        raise RuntimeError("could not draw a free join code")  # pragma: no cover

    def workshop(self, workshop_id: int) -> Workshop:
        workshop_id = checks.ident("workshop", workshop_id, "unknown_workshop")
        with self._read() as conn:
            row = conn.execute(select(workshops).where(workshops.c.id == workshop_id)).first()
        if row is None:
            raise fail("unknown_workshop", field="workshop", value=workshop_id)
        return workshop_from(row)

    def workshops(self, project_id: int | None = None) -> list[Workshop]:
        """Every workshop (of one project when given), oldest first."""
        project_id = checks.optional_ident("project", project_id, "unknown_project")
        query = select(workshops).order_by(workshops.c.id)
        if project_id is not None:
            query = query.where(workshops.c.project_id == project_id)
        with self._read() as conn:
            return [workshop_from(r) for r in conn.execute(query)]

    def workshop_by_code(self, code: str) -> Workshop:
        """The open workshop with this join code (case, spaces and dashes ignored)."""
        clean = normalise_code(code)
        shown = clean or (code if isinstance(code, str) else repr(code))
        if not looks_like_code(clean):
            raise fail("unknown_code", field="code", value=shown)
        with self._read() as conn:
            rows = conn.execute(select(workshops).where(workshops.c.code == clean)
                                .order_by(workshops.c.is_open.desc(), workshops.c.id.desc())
                                ).all()
        if not rows:
            raise fail("unknown_code", field="code", value=shown)
        if not rows[0].is_open:
            raise fail("workshop_closed", field="code", value=shown)
        return workshop_from(rows[0])

    def close_workshop(self, workshop_id: int) -> Workshop:
        """Stop accepting joins and answers (answers already given stay)."""
        workshop_id = checks.ident("workshop", workshop_id, "unknown_workshop")
        with self._write() as conn:
            row = self._require_workshop(conn, workshop_id)
            if row.is_open:
                conn.execute(update(workshops).where(workshops.c.id == workshop_id)
                             .values(is_open=False, closed_at=utcnow()))
        return self.workshop(workshop_id)

    def set_workshop_settings(self, workshop_id: int, **changes: object) -> Workshop:
        """Change the consultant's settings of a workshop (see :class:`WorkshopSettings`),
        e.g. ``set_workshop_settings(3, show_tendencies=True)``; returns the workshop."""
        workshop_id = checks.ident("workshop", workshop_id, "unknown_workshop")
        known = {f.name for f in fields(WorkshopSettings)}
        for name, value in changes.items():
            if name not in known:
                raise fail("unknown_setting", field="setting", value=name,
                           allowed=", ".join(sorted(known)))
            if not isinstance(value, bool):
                raise fail("setting_not_bool", field=name, value=value)
        with self._write() as conn:
            row = self._require_workshop(conn, workshop_id)
            current = WorkshopSettings.from_mapping(row.settings)
            new = replace(current, **changes)  # type: ignore[arg-type]
            conn.execute(update(workshops).where(workshops.c.id == workshop_id)
                         .values(settings=new.to_mapping()))
        return self.workshop(workshop_id)

    def reopen_workshop(self, workshop_id: int) -> Workshop:
        """Accept answers again. If another open workshop took its code meanwhile, the
        workshop gets a new code (shown by the returned record)."""
        workshop_id = checks.ident("workshop", workshop_id, "unknown_workshop")
        for attempt in range(_CODE_ATTEMPTS):
            try:
                with self._write() as conn:
                    row = self._require_workshop(conn, workshop_id)
                    if row.is_open:
                        break
                    values: dict[str, Any] = {"is_open": True, "closed_at": None}
                    if attempt:
                        values["code"] = new_join_code()
                    conn.execute(update(workshops).where(workshops.c.id == workshop_id)
                                 .values(values))
                break
            except IntegrityError:
                continue
        return self.workshop(workshop_id)

    def participation(self, workshop_id: int) -> dict[str, GroupCount]:
        """Per group: how many joined, how many validated."""
        workshop_id = checks.ident("workshop", workshop_id, "unknown_workshop")
        query = (select(participants.c.group_id, func.count(),
                        func.count(participants.c.validated_at))
                 .where(participants.c.workshop_id == workshop_id)
                 .group_by(participants.c.group_id).order_by(participants.c.group_id))
        with self._read() as conn:
            self._require_workshop(conn, workshop_id)
            return {g: GroupCount(int(j), int(v)) for g, j, v in conn.execute(query)}

    def activity(self, workshop_id: int) -> Activity:
        """Counts and latest times of a workshop, in one short read: cheap enough to
        be polled twice a second by a live screen, which reads the answers again only
        when this changes (see :class:`~coopkit.store.records.Activity`)."""
        groups = (select(participants.c.group_id, func.count(),
                         func.count(participants.c.validated_at),
                         func.max(participants.c.validated_at, type_=UTCDateTime))
                  .where(participants.c.workshop_id == workshop_id)
                  .group_by(participants.c.group_id).order_by(participants.c.group_id))
        given = (select(func.count(), func.max(answers.c.answered_at, type_=UTCDateTime))
                 .select_from(answers.join(participants,
                                           answers.c.participant_id == participants.c.id))
                 .where(participants.c.workshop_id == workshop_id))
        with self._read() as conn:
            row = self._require_workshop(conn, workshop_id)
            counts = conn.execute(groups).all()
            n_answers, last_answer = conn.execute(given).one()
            # a moderation changes what the room may see: it counts as a change too
            n_proposals, last_edit, last_moderation = conn.execute(
                select(func.count(), func.max(proposals.c.updated_at, type_=UTCDateTime),
                       func.max(proposals.c.moderated_at, type_=UTCDateTime))
                .where(proposals.c.workshop_id == workshop_id)).one()
        stamps = [s for s in (last_edit, last_moderation) if s is not None]
        last_proposal = max(stamps) if stamps else None
        validations = [v for *_, v in counts if v is not None]
        return Activity(
            workshop_id=workshop_id, code=row.code, is_open=bool(row.is_open),
            groups=tuple((g, GroupCount(int(j), int(v))) for g, j, v, _ in counts),
            answers=int(n_answers), last_answer=last_answer,
            last_validation=max(validations) if validations else None,
            proposals=int(n_proposals), last_proposal=last_proposal,
            settings=WorkshopSettings.from_mapping(row.settings))

    # --------------------------------------------------------------- participants

    def join(self, code: str, group: str, establishment: str | None = None) -> Participant:
        """Join an open workshop; returns a participant with a fresh random token."""
        ws = self.workshop_by_code(code)
        q = self.questionnaire(ws.questionnaire_hash)
        group_ids = tuple(g.id for g in q.groups) or method.GROUP_IDS
        checks.allowed("group", group, group_ids)
        place = checks.text("establishment", establishment, NAME_LIMIT, required=False)
        with self._write() as conn:
            if not conn.execute(select(workshops.c.is_open)
                                .where(workshops.c.id == ws.id)).scalar():
                raise fail("workshop_closed", field="code", value=ws.code)
            names = list(conn.execute(select(partners.c.name)
                                      .where(partners.c.project_id == ws.project_id)
                                      .order_by(partners.c.id)).scalars())
            if place is not None and names:
                place = checks.partner_name(place, names)
            token = new_token()
            # 31**10 codes: a clash is as likely as ~1e-9 per thousand participants.
            resume_code = new_resume_code()
            now = utcnow()
            new_id = conn.execute(insert(participants).values(
                token=token, resume_code=resume_code, workshop_id=ws.id, group_id=group,
                establishment=place, joined_at=now)).inserted_primary_key[0]
        self._refs[token] = _Ref(new_id, ws.id, ws.questionnaire_hash, group)
        return Participant(token, ws.id, group, place, None,
                           format_resume_code(resume_code))

    def resume(self, token: str) -> Participant:
        """The participant behind a token or a short resume code (``ABCDE-FGHJK``:
        case, spaces and dashes ignored), after a reload or from another device."""
        with self._read() as conn:
            row = self._participant_row(conn, token)
        return Participant(row.token, row.workshop_id, row.group_id, row.establishment,
                           row.validated_at, format_resume_code(row.resume_code or ""))

    def answers(self, token: str) -> dict[str, object]:
        """Every answer saved so far by this participant: item id -> value."""
        with self._read() as conn:
            row = self._participant_row(conn, token)
            found = conn.execute(select(answers.c.item_id, answers.c.value)
                                 .where(answers.c.participant_id == row.id)
                                 .order_by(answers.c.answered_at, answers.c.item_id)).all()
        return {item_id: value for item_id, value in found}

    def save_answer(self, token: str, item_id: str, value: object) -> object:
        """Save (or change) one answer; durable when this returns.

        The value is checked against the questionnaire first: an unknown item, an item
        not asked of the participant's group (:meth:`Item.asked_of`) or a value off the
        scale raises and nothing is written. Returns the value stored.
        """
        ref = self._ref(token)
        q = self.questionnaire(ref.questionnaire_hash)
        stored = q.check_answer(item_id, value, ref.group)  # and asked of their group
        statement = _answer_upsert(self._engine.dialect.name, ref.id, item_id, stored)
        with self._write() as conn:  # one statement while the write lock is held
            if conn.execute(statement).first() is None:
                self._lock_for_change(conn, ref, item_id)  # raises the reason
                raise fail("unknown_token", field="token")  # pragma: no cover
        return stored

    def validate(self, token: str) -> Participant:
        """Step 3, "validate my result": every required item asked to the participant's
        group must be answered; afterwards the answers are locked. Validating twice is
        harmless."""
        ref = self._ref(token)
        q = self.questionnaire(ref.questionnaire_hash)
        with self._write() as conn:
            row = self._lock_for_change(conn, ref, None)
            if row.validated_at is None:
                given = set(conn.execute(select(answers.c.item_id)
                                         .where(answers.c.participant_id == ref.id)).scalars())
                missing = [it.id for it in q.required_of(ref.group) if it.id not in given]
                if missing:
                    shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
                    raise fail("missing_answers", field="validate", value=shown,
                               count=len(missing))
                conn.execute(update(participants).where(participants.c.id == ref.id)
                             .values(validated_at=utcnow()))
        return self.resume(token)

    def erase_participant(self, token: str) -> int:
        """Right to erasure: delete a participant and every answer they gave.
        Returns the number of answers erased."""
        with self._write() as conn:
            row = self._participant_row(conn, token)
            gone = conn.execute(delete(answers).where(answers.c.participant_id == row.id))
            conn.execute(delete(participants).where(participants.c.id == row.id))
        self._refs.pop(token, None)
        return gone.rowcount

    # ------------------------------------------------------------------- analysis

    def answers_frame(self, workshop_id: int) -> pd.DataFrame:
        """A tidy frame: one row per answer, with the item's tags, the participant's
        group, establishment and pseudonym (a small integer, never the token), and
        the wave. ``frame.attrs["k"]`` is the workshop's anonymity threshold."""
        workshop_id = checks.ident("workshop", workshop_id, "unknown_workshop")
        ws = self.workshop(workshop_id)
        q = self.questionnaire(ws.questionnaire_hash)
        with self._read() as conn:
            people, given = reads.read_workshop(conn, workshop_id)
        return frames.answers_frame(ws, q, people, given)

    # --------------------------------------------------------------------- backup

    def backup(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Copy the SQLite database to ``path`` safely, even while a workshop runs.

        Uses SQLite's online backup: one consistent snapshot, writers keep going.
        ``path`` may be a folder (a dated file is made inside); default: the
        ``backups`` folder of the data folder. Returns the file written.
        """
        from coopkit.store.backup import backup_sqlite, default_name

        if self.backend != "sqlite":
            raise fail("backup_needs_sqlite", field="backup", value=self.url)
        if path is None:
            target = data_dir(self._data) / "backups" / default_name()
        else:
            target = Path(path).expanduser()
            if target.is_dir():
                target = target / default_name()
        if target.exists():
            raise fail("backup_exists", field="backup", value=str(target))
        return backup_sqlite(self._engine, target)

    # -------------------------------------------------------------------- helpers

    def _require_project(self, conn: Connection, project_id: int) -> None:
        if conn.execute(select(projects.c.id).where(projects.c.id == project_id)).first() \
                is None:
            raise fail("unknown_project", field="project", value=project_id)

    def _require_workshop(self, conn: Connection, workshop_id: int):
        row = conn.execute(select(workshops).where(workshops.c.id == workshop_id)).first()
        if row is None:
            raise fail("unknown_workshop", field="workshop", value=workshop_id)
        return row

    def _participant_row(self, conn: Connection, token: str):
        row = None
        if isinstance(token, str) and token:
            if _TOKEN_SHAPE.fullmatch(token):  # else no query: nothing odd reaches the driver
                row = conn.execute(select(participants).where(participants.c.token == token)
                                   ).first()
            code = normalise_code(token)
            if row is None and looks_like_resume_code(code):
                row = conn.execute(select(participants)
                                   .where(participants.c.resume_code == code)).first()
        if row is None:
            raise fail("unknown_token", field="token")  # never echo a token
        return row

    def _ref(self, token: str) -> _Ref:
        ref = self._refs.get(token) if isinstance(token, str) else None
        if ref is None:
            with self._read() as conn:
                row = self._participant_row(conn, token)
                qhash = conn.execute(select(workshops.c.questionnaire_hash).where(
                    workshops.c.id == row.workshop_id)).scalar_one()
            ref = _Ref(row.id, row.workshop_id, qhash, row.group_id)
            self._refs[token] = ref
        return ref

    def _lock_for_change(self, conn: Connection, ref: _Ref, item_id: str | None):
        """In a write transaction: lock the participant's row and check that answers
        may still change (participant not erased, not validated, workshop open)."""
        row = conn.execute(
            select(participants.c.validated_at, workshops.c.is_open, workshops.c.code)
            .join(workshops, workshops.c.id == participants.c.workshop_id)
            .where(participants.c.id == ref.id)
            .with_for_update(of=participants)
        ).first()
        if row is None:
            raise fail("unknown_token", field="token")
        if not row.is_open:
            raise fail("workshop_closed", field="code", value=row.code)
        if row.validated_at is not None and item_id is not None:
            raise fail("answers_locked", field=item_id)
        return row


# ------------------------------------------------------------------- helpers

def _answer_upsert(dialect: str, participant_id: int, item_id: str, value: object):
    """Insert or replace one answer, only while the participant may still change it
    (not erased, not validated, workshop open): the check and the write are one
    statement. On PostgreSQL the participant's row is share-locked by it, so a
    concurrent ``validate`` waits, and the check is re-evaluated if it committed."""
    may_change = (
        select(participants.c.id)
        .join(workshops, workshops.c.id == participants.c.workshop_id)
        .where(participants.c.id == participant_id, participants.c.validated_at.is_(None),
               workshops.c.is_open == true())
        .with_for_update(read=True, of=participants)
    )
    row = select(literal(participant_id, Integer), literal(item_id, String),
                 literal(value, JSONValue), literal(utcnow(), UTCDateTime)
                 ).where(exists(may_change))
    stmt = _insert(dialect, answers).from_select(
        ["participant_id", "item_id", "value", "answered_at"], row)
    return stmt.on_conflict_do_update(
        index_elements=["participant_id", "item_id"],
        set_={"value": stmt.excluded.value, "answered_at": stmt.excluded.answered_at},
    ).returning(answers.c.item_id)  # no row: the participant may not change answers


def _insert(conn: Connection | str, table):
    """The dialect's INSERT (it has ``on_conflict_do_update`` on both backends)."""
    dialect = conn if isinstance(conn, str) else conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table)


__all__ = ["Store", "open_store"]
