"""Turning the names users type (strand keys, kind keys, partner names) into rows."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from liaison_calendar.domain.enums import Side
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.store.tables import (
    CommonProposalRecord,
    KindRecord,
    OrganisationRecord,
    PartnerRecord,
    SeriesRecord,
    StrandRecord,
)


def kind_id(session: Session, key: str) -> int:
    row = session.exec(select(KindRecord).where(col(KindRecord.key) == key)).one_or_none()
    if row is None:
        known = ", ".join(
            session.exec(select(col(KindRecord.key)).order_by(col(KindRecord.position))).all()
        )
        raise ValidationError(f"Unknown kind of meeting {key!r}; known kinds: {known}.")
    assert row.id is not None
    return row.id


def strand_ids(session: Session, keys: Sequence[str]) -> list[int]:
    rows: dict[str, int] = {}
    for r in session.exec(select(StrandRecord).where(col(StrandRecord.key).in_(keys))).all():
        assert r.id is not None
        rows[r.key] = r.id
    missing = [k for k in keys if k not in rows]
    if missing:
        known = ", ".join(
            session.exec(select(col(StrandRecord.key)).order_by(col(StrandRecord.position))).all()
        )
        raise ValidationError(f"Unknown work strand {missing[0]!r}; known strands: {known}.")
    return list(dict.fromkeys(rows[k] for k in keys))


def strand_ids_known(keys: Sequence[str], known: dict[str, int]) -> None:
    """Refuse unknown strand keys, as ``strand_ids`` does, against keys already read."""
    for key in keys:
        if key not in known:
            raise ValidationError(
                f"Unknown work strand {key!r}; known strands: {', '.join(known)}."
            )


def partner_map(session: Session, names: Sequence[str]) -> dict[str, int]:
    """Case-folded partner name -> id for ``names``, created on first use."""
    wanted = {" ".join(n.split()) for n in names}
    found = {
        row.name.casefold(): row.id
        for row in session.exec(select(PartnerRecord)).all()
        if row.id is not None
    }
    for name in sorted(wanted):
        if name.casefold() not in found:
            (found[name.casefold()],) = partner_ids(session, [name])
    return found


def organisation_map(session: Session, orgs: Sequence[tuple[str, Side]]) -> dict[str, int]:
    """Case-folded organisation name -> id, created (with the side first given) on first use."""
    found = {
        row.name.casefold(): row.id
        for row in session.exec(select(OrganisationRecord)).all()
        if row.id is not None
    }
    for raw, side in orgs:
        name = " ".join(raw.split())
        if name and name.casefold() not in found:
            oid = organisation_id(session, name, side)
            assert oid is not None
            found[name.casefold()] = oid
    return found


def partner_ids(session: Session, names: Sequence[str]) -> list[int]:
    """Partners by name (any case), created on first use."""
    ids: list[int] = []
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            raise ValidationError("A partner needs a name.")
        row = session.exec(
            select(PartnerRecord).where(func.casefold(col(PartnerRecord.name)) == name.casefold())
        ).one_or_none()
        if row is None:
            row = PartnerRecord(name=name)
            session.add(row)
            session.flush()
        assert row.id is not None
        if row.id not in ids:
            ids.append(row.id)
    return ids


def organisation_id(session: Session, name: str, side: Side) -> int | None:
    name = " ".join(name.split())
    if not name:
        return None
    row = session.exec(
        select(OrganisationRecord).where(
            func.casefold(col(OrganisationRecord.name)) == name.casefold()
        )
    ).one_or_none()
    if row is None:
        row = OrganisationRecord(name=name, side=str(side))
        session.add(row)
        session.flush()
    assert row.id is not None
    return row.id


def series_row(session: Session, name_or_id: str | int) -> SeriesRecord:
    row: SeriesRecord | None = None
    if isinstance(name_or_id, int) or (str(name_or_id).isdigit() and len(str(name_or_id)) < 18):
        row = session.get(SeriesRecord, int(name_or_id))
    if row is None and isinstance(name_or_id, str):
        # A series may be called "2025": fall back to the name, as meetings fall back to UIDs.
        # Names are saved with their spaces tidied (series._free_name): looked up so too.
        name = " ".join(name_or_id.split())
        row = session.exec(
            select(SeriesRecord).where(func.casefold(col(SeriesRecord.name)) == name.casefold())
        ).one_or_none()
    if row is None:
        raise NotFoundError(f"There is no series {name_or_id!r}.")
    return row


def proposal_ids(session: Session, numbers: Sequence[int]) -> list[int]:
    ids = []
    for number in dict.fromkeys(numbers):
        if not 1 <= number <= 74:
            raise ValidationError(
                f"Common proposal {number} does not exist: they run from 1 to 74."
            )
        row = session.exec(
            select(CommonProposalRecord).where(col(CommonProposalRecord.number) == number)
        ).one_or_none()
        if row is None:
            row = CommonProposalRecord(number=number)
            session.add(row)
            session.flush()
        assert row.id is not None
        ids.append(row.id)
    return ids
