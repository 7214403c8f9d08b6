"""The calendar's vocabularies (strands, kinds, partners, organisations, proposals) and settings."""

import json
from dataclasses import dataclass
from typing import Any

from liaison_calendar.domain.defaults import DEFAULT_TIMEZONE
from liaison_calendar.domain.enums import Side
from liaison_calendar.domain.models import (
    CommonProposal,
    Kind,
    MeetingFilter,
    Organisation,
    Partner,
    Strand,
)
from liaison_calendar.domain.timezones import zone
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.store.database import Database

SETTING_DEFAULTS: dict[str, Any] = {
    "default_tz": DEFAULT_TIMEZONE,
    "feed_refresh_minutes": 60,
    "import_limit_mb": 50,
    "publish_dir": "",  # feeds are republished there after every change ("" = not at all)
    "organisation": "",  # printed in the header of agendas and reports
    "default_marking": "",  # handling marking of printouts whose meetings carry none
    "daily_backups": 7,  # automatic daily backups kept beside the calendar (0: none)
}


@dataclass(frozen=True)
class Vocabulary:
    """The keys and names a filter may use."""

    kinds: frozenset[str]
    strands: frozenset[str]
    series: frozenset[str]  # case-folded


def validate_filter(flt: MeetingFilter, known: Vocabulary) -> None:
    for key in flt.kinds:
        if key not in known.kinds:
            raise ValidationError(
                f"Unknown kind {key!r}; known kinds: {', '.join(sorted(known.kinds))}."
            )
    for key in flt.strands:
        if key not in known.strands:
            raise ValidationError(
                f"Unknown work strand {key!r}; known strands: {', '.join(sorted(known.strands))}."
            )
    for name in flt.series:
        if name.casefold() not in known.series:
            raise NotFoundError(f"There is no series {name!r}.")


class CatalogService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Reads are plain SQL: the window and its sidebar show these before SQLAlchemy is loaded.

    def strands(self) -> list[Strand]:
        sql = "SELECT id, key, name, colour FROM strand ORDER BY position"
        with self._db.plain() as conn:
            return [Strand(id=i, key=k, name=n, colour=c) for i, k, n, c in conn.execute(sql)]

    def kinds(self) -> list[Kind]:
        sql = "SELECT id, key, name, colour FROM kind ORDER BY position"
        with self._db.plain() as conn:
            return [Kind(id=i, key=k, name=n, colour=c) for i, k, n, c in conn.execute(sql)]

    def partners(self) -> list[Partner]:
        with self._db.plain() as conn:
            rows = conn.execute("SELECT id, name FROM partner ORDER BY name").fetchall()
        return [Partner(id=i, name=n) for i, n in rows]

    def organisations(self) -> list[Organisation]:
        with self._db.plain() as conn:
            rows = conn.execute("SELECT id, name, side FROM organisation ORDER BY name").fetchall()
        return [Organisation(id=i, name=n, side=Side(side)) for i, n, side in rows]

    def proposals(self) -> list[CommonProposal]:
        sql = (
            "SELECT c.id, c.number, s.key, c.title FROM common_proposal c "
            "LEFT JOIN strand s ON s.id = c.strand_id ORDER BY c.number"
        )
        with self._db.plain() as conn:
            rows = conn.execute(sql).fetchall()
        return [CommonProposal(id=i, number=n, strand=k, title=t) for i, n, k, t in rows]

    def set_proposal(self, number: int, title: str, strand: str | None = None) -> CommonProposal:
        from liaison_calendar.services import resolve
        from liaison_calendar.store.tables import CommonProposalRecord

        with self._db.transaction() as session:
            (pid,) = resolve.proposal_ids(session, [number])
            row = session.get(CommonProposalRecord, pid)
            assert row is not None
            row.title = title
            row.strand_id = resolve.strand_ids(session, [strand])[0] if strand else None
            session.add(row)
            return CommonProposal(id=pid, number=number, strand=strand, title=title)

    def check_filter(self, flt: MeetingFilter) -> None:
        """Unknown strand, kind or series names are typos: say so instead of matching nothing."""
        validate_filter(flt, self.vocabulary())

    def vocabulary(self) -> "Vocabulary":
        with self._db.plain() as conn:
            return Vocabulary(
                kinds=frozenset(k for (k,) in conn.execute("SELECT key FROM kind")),
                strands=frozenset(k for (k,) in conn.execute("SELECT key FROM strand")),
                series=frozenset(n.casefold() for (n,) in conn.execute("SELECT name FROM series")),
            )

    # --- settings --------------------------------------------------------------------------

    def setting(self, key: str) -> Any:
        if key not in SETTING_DEFAULTS:
            raise NotFoundError(f"There is no setting {key!r}.")
        with self._db.plain() as conn:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row is not None else SETTING_DEFAULTS[key]

    def set_setting(self, key: str, value: Any) -> None:
        if key not in SETTING_DEFAULTS:
            raise NotFoundError(f"There is no setting {key!r}.")
        if key == "default_tz":
            zone(str(value))
        if key == "import_limit_mb" and (not isinstance(value, int) or not 1 <= value <= 4096):
            raise ValidationError("The import limit is a whole number of MB from 1 to 4096.")
        if key == "daily_backups" and (not isinstance(value, int) or not 0 <= value <= 365):
            raise ValidationError("Daily backups kept is a whole number from 0 (none) to 365.")
        if key == "feed_refresh_minutes" and (not isinstance(value, int) or value < 1):
            raise ValidationError("The feed refresh interval is a whole number of minutes.")
        if key in ("publish_dir", "organisation", "default_marking"):
            if not isinstance(value, str) or "\n" in value:
                raise ValidationError(f"The {key} setting is one line of text.")
            value = value.strip()
        from liaison_calendar.store.tables import SettingRecord

        with self._db.transaction() as session:
            row = session.get(SettingRecord, key) or SettingRecord(key=key)
            row.value = json.dumps(value)
            session.add(row)
