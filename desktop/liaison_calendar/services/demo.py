"""A sample calendar for 2023–2025: what EU–NATO staff-to-staff work looks like over a year or two.

The meetings follow the work strands of the ninth progress report on the common set of proposals
(June 2023 – May 2024) and carry on into 2025 with plausible follow-ups. People are invented;
formats, themes and partners follow the report. Every meeting, series and exercise has a fixed UID
or name, so seeding twice adds nothing the second time. No date depends on the clock.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from liaison_calendar.domain.enums import (
    ActionStatus,
    ExercisePart,
    LeadSide,
    Mode,
    PhaseType,
    ReleaseLevel,
    Side,
    Status,
)
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    ExerciseDraft,
    MeetingDraft,
    MeetingPatch,
    ParticipantDraft,
    PhaseDraft,
    SeriesDraft,
)
from liaison_calendar.services.context import Services
from liaison_calendar.services.meetings import UID_DOMAIN
from liaison_calendar.store.tables import ExerciseRecord, MeetingRecord, SeriesRecord


@dataclass(frozen=True)
class DemoResult:
    """How many sample meetings were added, and how many were already there."""

    added: int
    skipped: int


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A naive wall-clock time, read in the zone of the meeting it belongs to."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


def demo_uid(slug: str) -> str:
    return f"demo-{slug}@{UID_DOMAIN}"


# --- vocabulary of the sample ----------------------------------------------------------------

STAFF_ONLY = "EU-NATO STAFF ONLY"
LIMITED = "EU-NATO STAFF ONLY – LIMITED DISTRIBUTION"
PUBLIC = "PUBLIC"

EEAS = "EEAS"
EUMS = "EU Military Staff"
DEFIS = "European Commission (DG DEFIS)"
MOVE = "European Commission (DG MOVE)"
TAXUD = "European Commission (DG TAXUD)"
NATO_IS = "NATO International Staff"
NATO_IMS = "NATO International Military Staff"

UKRAINE = "Ukraine"
MOLDOVA = "Republic of Moldova"
GEORGIA = "Georgia"
BIH = "Bosnia and Herzegovina"
JORDAN = "Jordan"
TUNISIA = "Tunisia"
MAURITANIA = "Mauritania"
CAPACITY_PARTNERS = [UKRAINE, MOLDOVA, GEORGIA, BIH, JORDAN, TUNISIA, MAURITANIA]

ALL_STRANDS = [
    "hybrid",
    "operational",
    "cyber",
    "capabilities",
    "industry",
    "exercises",
    "capacity-building",
    "political",
]

OPTALKS = "Operational cooperation talks"
SD_CYBER = "Structured Dialogue on Cyber"
SD_MOBILITY = "Structured Dialogue on Military Mobility"

PACE_UID = demo_uid("pace-2024-2025")
RECURRING_UID = demo_uid("ukraine-monthly")
RECURRING_MOVED_FROM = _at(2024, 8, 15, 10, 0)  # Assumption Day, a holiday in Brussels
RECURRING_MOVED_TO = _at(2024, 8, 22, 10, 0)
RECURRING_SKIPPED = _at(2024, 12, 19, 10, 0)  # clashes with the December European Council

# Invented people: (name, organisation, side, role).
_PEOPLE: dict[str, tuple[str, str, Side, str]] = {
    "dubois": ("Claire Dubois", EEAS, Side.EU, "Head of division, security and defence policy"),
    "weber": ("Jonas Weber", EEAS, Side.EU, "EU-NATO desk officer"),
    "horvath": ("Eva Horvath", EEAS, Side.EU, "Cyber policy adviser"),
    "obrien": ("Niamh O'Brien", EEAS, Side.EU, "FIMI and disinformation analyst"),
    "haddad": ("Leila Haddad", EEAS, Side.EU, "Capacity building coordinator"),
    "romano": ("Lucia Romano", EUMS, Side.EU, "Operations directorate"),
    "nowak": ("Piotr Nowak", EUMS, Side.EU, "Logistics directorate"),
    "lindqvist": ("Sofia Lindqvist", DEFIS, Side.EU, "Defence industrial policy"),
    "silva": ("Marta Silva", MOVE, Side.EU, "Military mobility and TEN-T"),
    "brandt": ("Felix Brandt", TAXUD, Side.EU, "Customs procedures"),
    "whitfield": ("James Whitfield", NATO_IS, Side.NATO, "Political affairs and security policy"),
    "demir": ("Aylin Demir", NATO_IS, Side.NATO, "Cyber and hybrid threats"),
    "larsen": ("Henrik Larsen", NATO_IS, Side.NATO, "Defence investment"),
    "zielinska": ("Katarzyna Zielinska", NATO_IS, Side.NATO, "Partnerships and capacity building"),
    "solberg": ("Ingrid Solberg", NATO_IMS, Side.NATO, "Operations and plans"),
    "carvalho": ("Rui Carvalho", NATO_IMS, Side.NATO, "Logistics and resources"),
    "kravets": ("Olena Kravets", "Mission of Ukraine to the EU", Side.PARTNER, "Counsellor"),
    "rusu": (
        "Andrei Rusu",
        "Ministry of Defence of the Republic of Moldova",
        Side.PARTNER,
        "Defence policy",
    ),
    "beridze": (
        "Nino Beridze",
        "Ministry of Defence of Georgia",
        Side.PARTNER,
        "International cooperation",
    ),
}


def _people(*keys: str) -> list[ParticipantDraft]:
    return [
        ParticipantDraft(name=name, organisation=org, side=side, role=role)
        for name, org, side, role in (_PEOPLE[k] for k in keys)
    ]


def _agenda(*items: tuple[str, str, int]) -> list[AgendaItemDraft]:
    return [AgendaItemDraft(title=t, lead=lead, duration_min=m) for t, lead, m in items]


def _done(text: str, owner: str, due: date | None = None) -> ActionItemDraft:
    return ActionItemDraft(text=text, owner=owner, due=due, status=ActionStatus.DONE)


def _open(text: str, owner: str, due: date | None = None) -> ActionItemDraft:
    return ActionItemDraft(text=text, owner=owner, due=due, status=ActionStatus.OPEN)


# --- series ----------------------------------------------------------------------------------


def demo_series() -> list[SeriesDraft]:
    return [
        SeriesDraft(
            name=OPTALKS,
            kind="operational-talks",
            strands=["operational"],
            description="Staff talks on operational cooperation, including maritime issues: "
            "operations and missions, crisis management engagements and advance planning.",
            location="Brussels",
        ),
        SeriesDraft(
            name=SD_CYBER,
            kind="structured-dialogue",
            strands=["cyber"],
            description="Successor of the annual high-level staff talks on cyber security and "
            "defence, upgraded to a structured dialogue.",
            location="Brussels",
        ),
        SeriesDraft(
            name=SD_MOBILITY,
            kind="structured-dialogue",
            strands=["capabilities"],
            description="Focused staff discussions on moving forces and materiel quickly and "
            "seamlessly across Europe.",
            location="Brussels",
        ),
    ]


# --- meetings by strand ----------------------------------------------------------------------


def _operational() -> list[MeetingDraft]:
    return [
        MeetingDraft(
            uid=demo_uid("optalks-1"),
            title="Operational cooperation talks – 1st iteration",
            kind="operational-talks",
            series=OPTALKS,
            iteration=1,
            start=_at(2023, 6, 20, 9, 30),
            end=_at(2023, 6, 20, 13, 0),
            strands=["operational"],
            location="NATO Headquarters, Brussels",
            marking=STAFF_ONLY,
            description="The first talks ever held on operational cooperation. Scope: land and "
            "maritime operations and missions, crisis management engagements, advance planning.",
            outcomes="Both staffs want the talks to become a standing format and will exchange "
            "their planning horizons before each iteration.",
            participants=_people("dubois", "romano", "whitfield", "solberg"),
            agenda=_agenda(
                ("Opening by the co-chairs", "Claire Dubois / James Whitfield", 15),
                ("Land operations and missions: where we stand", "Lucia Romano", 45),
                ("Maritime operations and maritime security", "Ingrid Solberg", 45),
                ("Crisis management engagements", "Claire Dubois", 30),
                ("Advance planning: sharing planning horizons", "Ingrid Solberg", 45),
                ("Conclusions and next steps", "co-chairs", 15),
            ),
            actions=[
                _done("Circulate agreed summary of conclusions", EEAS, date(2023, 7, 7)),
                _done("Propose themes for the second iteration", NATO_IS, date(2024, 1, 31)),
            ],
        ),
        MeetingDraft(
            uid=demo_uid("optalks-2"),
            title="Operational cooperation talks – 2nd iteration",
            kind="operational-talks",
            series=OPTALKS,
            iteration=2,
            start=_at(2024, 3, 12, 9, 30),
            end=_at(2024, 3, 12, 13, 0),
            strands=["operational"],
            location="EEAS, Brussels",
            lead_side=LeadSide.EU,
            marking=STAFF_ONLY,
            description="Second iteration: missions and operations in the Western Balkans and in "
            "the Middle East / North Africa, crisis management engagements and crisis response.",
            outcomes="Points of contact for crisis response exchanged; maritime presence in the "
            "Mediterranean to be mapped jointly.",
            participants=_people("dubois", "weber", "romano", "whitfield", "solberg"),
            agenda=_agenda(
                ("Western Balkans: missions and operations on the ground", "Lucia Romano", 50),
                ("Middle East and North Africa", "Ingrid Solberg", 50),
                ("Crisis management engagements", "Jonas Weber", 30),
                ("Crisis response: recent experience", "James Whitfield", 30),
                ("Any other business", "co-chairs", 10),
            ),
            actions=[
                _done("Exchange crisis response points of contact", EUMS, date(2024, 4, 30)),
                _open(
                    "Map overlapping maritime presence in the Mediterranean",
                    NATO_IMS,
                    date(2024, 9, 30),
                ),
            ],
        ),
        MeetingDraft(
            uid=demo_uid("optalks-3"),
            title="Operational cooperation talks – 3rd iteration",
            kind="operational-talks",
            series=OPTALKS,
            iteration=3,
            start=_at(2025, 3, 18, 9, 30),
            end=_at(2025, 3, 18, 13, 0),
            strands=["operational"],
            location="NATO Headquarters, Brussels",
            lead_side=LeadSide.NATO,
            status=Status.TENTATIVE,
            marking=STAFF_ONLY,
            description="Date pencilled in; to be confirmed by both co-chairs.",
            participants=_people("dubois", "whitfield"),
            agenda=_agenda(
                ("Follow-up of the 2nd iteration", "co-chairs", 30),
                ("Advance planning for 2025–2026", "Ingrid Solberg", 60),
            ),
        ),
        MeetingDraft(
            uid=demo_uid("maritime-2024"),
            title="Maritime security staff exchange – Red Sea and Mediterranean",
            kind="other",
            start=_at(2024, 4, 23, 14, 0),
            end=_at(2024, 4, 23, 16, 0),
            strands=["operational"],
            mode=Mode.VIDEO,
            lead_side=LeadSide.NATO,
            marking=STAFF_ONLY,
            description="Staff-level exchange of maritime situational awareness and of the "
            "activities of both organisations at sea.",
            participants=_people("romano", "solberg"),
        ),
    ]


def _cyber() -> list[MeetingDraft]:
    return [
        MeetingDraft(
            uid=demo_uid("cyber-hlst-2023"),
            title="High-level staff talks on cyber security and defence",
            kind="staff-talks",
            start=_at(2023, 7, 4, 10, 0),
            end=_at(2023, 7, 4, 16, 0),
            strands=["cyber"],
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            description="The last edition of the annual high-level staff talks on cyber.",
            outcomes="The staffs recommend upgrading the annual talks to a Structured Dialogue "
            "on Cyber.",
            participants=_people("horvath", "demir"),
            actions=[_done("Draft terms of reference for a Structured Dialogue", EEAS)],
        ),
        MeetingDraft(
            uid=demo_uid("sdcyber-1"),
            title="Structured Dialogue on Cyber – 1st session",
            kind="structured-dialogue",
            series=SD_CYBER,
            iteration=1,
            start=_at(2024, 1, 30, 10, 0),
            end=_at(2024, 1, 30, 12, 30),
            strands=["cyber"],
            location="NATO Headquarters, Brussels",
            marking=STAFF_ONLY,
            description="First session of the upgraded format.",
            participants=_people("horvath", "weber", "demir", "whitfield"),
            agenda=_agenda(
                ("Threat landscape: shared reading", "Aylin Demir", 40),
                ("Synergies among tools against malicious cyber activities", "Eva Horvath", 60),
                ("Cyber capacity building in the Western Balkans", "Jonas Weber", 30),
                ("Next steps", "co-chairs", 15),
            ),
            actions=[
                _done("Compare response toolboxes side by side", EEAS, date(2024, 4, 15)),
                _open("Joint mapping of cyber capacity building projects", NATO_IS),
            ],
        ),
        MeetingDraft(
            uid=demo_uid("sdcyber-2"),
            title="Structured Dialogue on Cyber – 2nd session",
            kind="structured-dialogue",
            series=SD_CYBER,
            iteration=2,
            start=_at(2024, 10, 15, 10, 0),
            end=_at(2024, 10, 15, 12, 30),
            strands=["cyber"],
            location="EEAS, Brussels",
            lead_side=LeadSide.EU,
            marking=STAFF_ONLY,
            description="A full agenda: expect the meeting to run over.",
            participants=_people("horvath", "demir", "zielinska"),
            agenda=_agenda(
                ("Review of actions from the 1st session", "co-chairs", 20),
                ("Responses to malicious cyber activities: case studies", "Eva Horvath", 60),
                ("Cyber capacity building for partners", "Katarzyna Zielinska", 45),
                ("Cyber exercises and PACE", "Aylin Demir", 40),
                ("Conclusions", "co-chairs", 15),
            ),
            actions=[
                _open("Share a list of partner cyber projects", EEAS, date(2025, 1, 31)),
            ],
        ),
        MeetingDraft(
            uid=demo_uid("sdcyber-3"),
            title="Structured Dialogue on Cyber – 3rd session",
            kind="structured-dialogue",
            series=SD_CYBER,
            iteration=3,
            start=_at(2025, 6, 3, 10, 0),
            end=_at(2025, 6, 3, 12, 30),
            strands=["cyber"],
            location="NATO Headquarters, Brussels",
            mode=Mode.HYBRID,
            marking=STAFF_ONLY,
            participants=_people("horvath", "demir"),
        ),
        MeetingDraft(
            uid=demo_uid("cyber-cb-sarajevo-2024"),
            title="Cyber capacity building – local coordination in Sarajevo",
            kind="cross-briefing",
            start=_at(2024, 5, 28, 11, 0),
            end=_at(2024, 5, 28, 12, 30),
            tz="Europe/Sarajevo",
            strands=["cyber", "capacity-building"],
            partners=[BIH],
            location="EU Delegation, Sarajevo",
            mode=Mode.HYBRID,
            marking=STAFF_ONLY,
            description="Local coordination of cyber capacity building projects in the Western "
            "Balkans.",
            participants=_people("horvath", "zielinska"),
        ),
    ]


def _mobility() -> list[MeetingDraft]:
    return [
        MeetingDraft(
            uid=demo_uid("sdmm-1"),
            title="Structured Dialogue on Military Mobility – session 1",
            kind="structured-dialogue",
            series=SD_MOBILITY,
            iteration=1,
            start=_at(2023, 9, 26, 9, 30),
            end=_at(2023, 9, 26, 12, 30),
            strands=["capabilities"],
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            participants=_people("nowak", "silva", "carvalho", "larsen"),
            agenda=_agenda(
                ("Military requirements: alignment check", "Piotr Nowak", 60),
                ("Dual-use transport infrastructure", "Marta Silva", 60),
                ("Way ahead", "co-chairs", 20),
            ),
            actions=[_done("Exchange updated military requirements", EUMS, date(2023, 12, 15))],
        ),
        MeetingDraft(
            uid=demo_uid("sdmm-2"),
            title="Structured Dialogue on Military Mobility – session 2",
            kind="structured-dialogue",
            series=SD_MOBILITY,
            iteration=2,
            start=_at(2024, 2, 27, 9, 30),
            end=_at(2024, 2, 27, 12, 30),
            strands=["capabilities"],
            location="NATO Headquarters, Brussels",
            marking=STAFF_ONLY,
            participants=_people("nowak", "brandt", "carvalho"),
            agenda=_agenda(
                ("Transport of dangerous goods", "Rui Carvalho", 60),
                ("Customs formalities for military goods", "Felix Brandt", 60),
                ("Any other business", "co-chairs", 15),
            ),
            actions=[_open("Compare dangerous goods rules for rail", NATO_IMS, date(2024, 6, 1))],
        ),
        MeetingDraft(
            uid=demo_uid("sdmm-3"),
            title="Structured Dialogue on Military Mobility – session 3",
            kind="structured-dialogue",
            series=SD_MOBILITY,
            iteration=3,
            start=_at(2024, 6, 18, 9, 30),
            end=_at(2024, 6, 18, 12, 30),
            strands=["capabilities", "exercises"],
            location="EEAS, Brussels",
            mode=Mode.HYBRID,
            marking=STAFF_ONLY,
            participants=_people("nowak", "silva", "carvalho"),
            agenda=_agenda(
                ("Cross-border movement permissions", "Marta Silva", 60),
                ("Military mobility in exercises", "Rui Carvalho", 45),
            ),
        ),
        MeetingDraft(
            uid=demo_uid("sdmm-4"),
            title="Structured Dialogue on Military Mobility – session 4",
            kind="structured-dialogue",
            series=SD_MOBILITY,
            iteration=4,
            start=_at(2024, 11, 26, 9, 30),
            end=_at(2024, 11, 26, 12, 30),
            strands=["capabilities"],
            location="NATO Headquarters, Brussels",
            marking=STAFF_ONLY,
            participants=_people("nowak", "carvalho", "larsen"),
            agenda=_agenda(
                ("Host nation support", "Rui Carvalho", 60),
                ("Stock-take of all work strands", "Piotr Nowak", 60),
            ),
            actions=[_open("Update the shared work-strand tracker", EUMS, date(2025, 2, 28))],
        ),
        MeetingDraft(
            uid=demo_uid("capdev-2024"),
            title="Coherence of capability development – staff talks",
            kind="staff-talks",
            start=_at(2024, 5, 7, 14, 0),
            end=_at(2024, 5, 7, 17, 0),
            strands=["capabilities"],
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            description="Keeping the EU capability priorities and NATO defence planning coherent "
            "where they overlap.",
            participants=_people("nowak", "larsen"),
        ),
    ]


def _capacity_building() -> list[MeetingDraft]:
    local = "Local cross-briefing"
    return [
        MeetingDraft(
            uid=demo_uid("cb-staff-talks-2024"),
            title="Annual Staff Talks on capacity building",
            kind="staff-talks",
            start=_at(2024, 5, 15, 9, 30),
            end=_at(2024, 5, 15, 17, 0),
            strands=["capacity-building"],
            partners=CAPACITY_PARTNERS,
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            description="Yearly review of defence and security capacity building support to "
            "partners, stepped up since Russia's war of aggression against Ukraine.",
            outcomes="Regular exchanges continue; cross-briefings are to be held both in "
            "Brussels and locally, in partner capitals, to coordinate support and find synergies.",
            participants=_people("haddad", "dubois", "zielinska", "whitfield"),
            agenda=_agenda(
                ("Opening", "co-chairs", 15),
                ("Ukraine", "Katarzyna Zielinska", 60),
                ("Republic of Moldova", "Leila Haddad", 40),
                ("Georgia", "Katarzyna Zielinska", 40),
                ("Lunch", "", 60),
                ("Bosnia and Herzegovina", "Leila Haddad", 40),
                ("Jordan", "Katarzyna Zielinska", 30),
                ("Tunisia", "Leila Haddad", 30),
                ("Mauritania", "Leila Haddad", 30),
                ("Way ahead: cross-briefings in Brussels and in capitals", "co-chairs", 45),
                ("Conclusions", "co-chairs", 15),
            ),
            actions=[
                _done(
                    "Schedule local cross-briefings in partner capitals", EEAS, date(2024, 7, 31)
                ),
                _done(
                    "Set up a monthly video cross-briefing on Ukraine", NATO_IS, date(2024, 6, 15)
                ),
                _open(
                    "Share updated project mapping for Jordan and Tunisia", EEAS, date(2024, 12, 31)
                ),
            ],
        ),
        MeetingDraft(
            uid=demo_uid("cb-staff-talks-2025"),
            title="Annual Staff Talks on capacity building (2025)",
            kind="staff-talks",
            start=_at(2025, 5, 20, 9, 30),
            end=_at(2025, 5, 20, 17, 0),
            strands=["capacity-building"],
            partners=CAPACITY_PARTNERS,
            location="NATO Headquarters, Brussels",
            status=Status.TENTATIVE,
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska"),
        ),
        MeetingDraft(
            uid=RECURRING_UID,
            title="Ukraine support – monthly video cross-briefing",
            kind="cross-briefing",
            start=_at(2024, 6, 20, 10, 0),
            end=_at(2024, 6, 20, 11, 0),
            rrule="FREQ=MONTHLY;BYDAY=3TH;COUNT=12",
            strands=["capacity-building"],
            partners=[UKRAINE],
            mode=Mode.VIDEO,
            marking=STAFF_ONLY,
            description="Every third Thursday: who supports what, where the gaps are.",
            participants=_people("haddad", "zielinska", "kravets"),
            agenda=_agenda(
                ("Latest needs", "Olena Kravets", 20),
                ("EU support update", "Leila Haddad", 15),
                ("NATO support update", "Katarzyna Zielinska", 15),
                ("Gaps and overlaps", "all", 10),
            ),
        ),
        MeetingDraft(
            uid=demo_uid("xb-kyiv-2024"),
            title=f"{local} in Kyiv",
            kind="cross-briefing",
            start=_at(2024, 9, 10, 11, 0),
            end=_at(2024, 9, 10, 13, 0),
            tz="Europe/Kyiv",
            strands=["capacity-building"],
            partners=[UKRAINE],
            location="EU Delegation to Ukraine, Kyiv",
            mode=Mode.HYBRID,
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska", "kravets"),
        ),
        MeetingDraft(
            uid=demo_uid("xb-chisinau-2024"),
            title=f"{local} in Chișinău",
            kind="cross-briefing",
            start=_at(2024, 7, 9, 10, 0),
            end=_at(2024, 7, 9, 12, 0),
            tz="Europe/Chisinau",
            strands=["capacity-building", "hybrid"],
            partners=[MOLDOVA],
            location="EU Delegation to the Republic of Moldova, Chișinău",
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska", "rusu"),
            actions=[_open("Align support to resilience against hybrid threats", EEAS)],
        ),
        MeetingDraft(
            uid=demo_uid("xb-tbilisi-2024"),
            title=f"{local} in Tbilisi",
            kind="cross-briefing",
            start=_at(2024, 10, 8, 11, 0),
            end=_at(2024, 10, 8, 13, 0),
            tz="Asia/Tbilisi",
            strands=["capacity-building"],
            partners=[GEORGIA],
            location="EU Delegation to Georgia, Tbilisi",
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska", "beridze"),
        ),
        MeetingDraft(
            uid=demo_uid("xb-amman-2024"),
            title=f"{local} in Amman",
            kind="cross-briefing",
            start=_at(2024, 11, 12, 10, 0),
            end=_at(2024, 11, 12, 12, 0),
            tz="Asia/Amman",
            strands=["capacity-building"],
            partners=[JORDAN],
            location="EU Delegation to Jordan, Amman",
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska"),
        ),
        MeetingDraft(
            uid=demo_uid("xb-tunis-2025"),
            title=f"{local} in Tunis",
            kind="cross-briefing",
            start=_at(2025, 2, 11, 10, 0),
            end=_at(2025, 2, 11, 12, 0),
            tz="Africa/Tunis",
            strands=["capacity-building"],
            partners=[TUNISIA],
            location="EU Delegation to Tunisia, Tunis",
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska"),
        ),
        MeetingDraft(
            uid=demo_uid("xb-nouakchott-2024"),
            title=f"{local} in Nouakchott",
            kind="cross-briefing",
            start=_at(2024, 12, 3, 10, 0),
            end=_at(2024, 12, 3, 12, 0),
            tz="Africa/Nouakchott",
            strands=["capacity-building"],
            partners=[MAURITANIA],
            location="EU Delegation to Mauritania, Nouakchott",
            status=Status.POSTPONED,
            marking=STAFF_ONLY,
            description="Postponed at the host's request; a new date is being agreed.",
            participants=_people("haddad"),
        ),
        MeetingDraft(
            uid=demo_uid("xb-sarajevo-2024"),
            title=f"{local} in Sarajevo",
            kind="cross-briefing",
            start=_at(2024, 9, 24, 10, 0),
            end=_at(2024, 9, 24, 12, 0),
            tz="Europe/Sarajevo",
            strands=["capacity-building"],
            partners=[BIH],
            location="EU Delegation, Sarajevo",
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska"),
        ),
        MeetingDraft(
            uid=demo_uid("xb-brussels-2025"),
            title="Cross-briefing in Brussels: Republic of Moldova and Georgia",
            kind="cross-briefing",
            start=_at(2025, 1, 22, 14, 0),
            end=_at(2025, 1, 22, 16, 0),
            strands=["capacity-building"],
            partners=[MOLDOVA, GEORGIA],
            location="NATO Headquarters, Brussels",
            lead_side=LeadSide.NATO,
            marking=STAFF_ONLY,
            participants=_people("haddad", "zielinska", "rusu", "beridze"),
        ),
    ]


def _hybrid() -> list[MeetingDraft]:
    return [
        MeetingDraft(
            uid=demo_uid("hybrid-ci-2023"),
            title="Hybrid threats: critical infrastructure resilience exchange",
            kind="staff-talks",
            start=_at(2023, 10, 17, 10, 0),
            end=_at(2023, 10, 17, 12, 0),
            strands=["hybrid"],
            location="NATO Headquarters, Brussels",
            marking=STAFF_ONLY,
            description="Threats of disruption to critical infrastructure, including undersea "
            "infrastructure, and how each side would respond.",
            participants=_people("weber", "demir"),
            actions=[_done("Exchange points of contact for incidents", NATO_IS, date(2023, 11, 1))],
        ),
        MeetingDraft(
            uid=demo_uid("fimi-2023"),
            title="FIMI and disinformation – exchange of analysis",
            kind="other",
            start=_at(2023, 12, 5, 14, 0),
            end=_at(2023, 12, 5, 15, 30),
            strands=["hybrid"],
            mode=Mode.VIDEO,
            marking=LIMITED,
            release_level=ReleaseLevel.RESTRICTED,
            description="Near-real-time insights, reports and analysis on hostile information "
            "activities and foreign information manipulation and interference.",
            participants=_people("obrien", "demir"),
        ),
        MeetingDraft(
            uid=demo_uid("ct-2024"),
            title="Counter-terrorism staff-to-staff exchange",
            kind="staff-talks",
            start=_at(2024, 2, 8, 10, 0),
            end=_at(2024, 2, 8, 12, 0),
            strands=["hybrid"],
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            participants=_people("weber", "whitfield"),
        ),
        MeetingDraft(
            uid=demo_uid("civil-emergencies-2024"),
            title="Resilience and civil emergencies – staff talks",
            kind="staff-talks",
            start=_at(2024, 4, 10, 14, 0),
            end=_at(2024, 4, 10, 16, 30),
            strands=["hybrid"],
            location="NATO Headquarters, Brussels",
            marking=STAFF_ONLY,
            participants=_people("weber", "demir"),
            agenda=_agenda(
                ("Civil preparedness baselines", "Aylin Demir", 45),
                ("Civil emergencies: lessons from recent crises", "Jonas Weber", 45),
                ("Next steps", "co-chairs", 15),
            ),
        ),
        MeetingDraft(
            uid=demo_uid("fimi-2025"),
            title="FIMI exchange – information environment outlook 2025",
            kind="other",
            start=_at(2025, 1, 28, 14, 0),
            end=_at(2025, 1, 28, 15, 30),
            strands=["hybrid"],
            mode=Mode.VIDEO,
            status=Status.TENTATIVE,
            marking=STAFF_ONLY,
            participants=_people("obrien", "demir"),
        ),
    ]


def _industry() -> list[MeetingDraft]:
    return [
        MeetingDraft(
            uid=demo_uid("dpap-2023"),
            title="Staff coordination on the Defence Production Action Plan",
            kind="staff-talks",
            start=_at(2023, 10, 24, 14, 0),
            end=_at(2023, 10, 24, 16, 0),
            strands=["industry"],
            location="NATO Headquarters, Brussels",
            lead_side=LeadSide.NATO,
            marking=STAFF_ONLY,
            description="How NATO's Defence Production Action Plan is being implemented, and "
            "where EU instruments meet it.",
            participants=_people("lindqvist", "larsen"),
            agenda=_agenda(
                ("Implementation of the Defence Production Action Plan", "Henrik Larsen", 45),
                ("EU instruments for defence industrial ramp-up", "Sofia Lindqvist", 45),
            ),
        ),
        MeetingDraft(
            uid=demo_uid("edis-2024"),
            title="European Defence Industrial Strategy and EDIP – briefing to NATO staff",
            kind="cross-briefing",
            start=_at(2024, 3, 20, 10, 0),
            end=_at(2024, 3, 20, 11, 30),
            strands=["industry"],
            location="NATO Headquarters, Brussels",
            lead_side=LeadSide.EU,
            marking=STAFF_ONLY,
            description="The Commission presents the new European Defence Industrial Strategy "
            "and the proposed European Defence Industry Programme.",
            participants=_people("lindqvist", "larsen"),
            actions=[_done("Send the briefing slides", DEFIS, date(2024, 3, 22))],
        ),
        MeetingDraft(
            uid=demo_uid("dipb-2024"),
            title="NATO Defence Industrial Production Board – cross-briefing to EU staff",
            kind="cross-briefing",
            start=_at(2024, 6, 25, 10, 0),
            end=_at(2024, 6, 25, 11, 30),
            strands=["industry"],
            location="European Commission, Brussels",
            lead_side=LeadSide.NATO,
            marking=STAFF_ONLY,
            participants=_people("lindqvist", "larsen"),
        ),
        MeetingDraft(
            uid=demo_uid("industry-2024"),
            title="Defence industry engagement and support – staff consultations",
            kind="staff-talks",
            start=_at(2024, 9, 17, 14, 0),
            end=_at(2024, 9, 17, 16, 30),
            strands=["industry", "capabilities"],
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            participants=_people("lindqvist", "weber", "larsen"),
            actions=[_open("Compile a joint list of industry engagement events", DEFIS)],
        ),
        MeetingDraft(
            uid=demo_uid("research-2025"),
            title="Defence research and innovation – staff exchange",
            kind="other",
            start=_at(2025, 4, 8, 10, 0),
            end=_at(2025, 4, 8, 12, 0),
            strands=["industry"],
            mode=Mode.VIDEO,
            marking=STAFF_ONLY,
            participants=_people("lindqvist", "larsen"),
        ),
    ]


def _political() -> list[MeetingDraft]:
    return [
        MeetingDraft(
            uid=demo_uid("nato-fm-2023"),
            title="NATO Foreign Ministers' meeting – EU High Representative invited",
            kind="ministerial",
            start=date(2023, 11, 28),
            end=date(2023, 11, 30),
            strands=["political"],
            location="NATO Headquarters, Brussels",
            lead_side=LeadSide.NATO,
            marking=PUBLIC,
            release_level=ReleaseLevel.PUBLIC,
            description="A mutual invitation to a high-level ministerial meeting.",
        ),
        MeetingDraft(
            uid=demo_uid("progress-report-9"),
            title="Ninth progress report – joint drafting session",
            kind="staff-talks",
            start=_at(2024, 4, 25, 10, 0),
            end=_at(2024, 4, 25, 16, 0),
            strands=ALL_STRANDS,
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            description="Drafting the ninth report on the implementation of the 74 common "
            "proposals endorsed in December 2016 and December 2017, covering June 2023 to "
            "May 2024 across all work strands.",
            participants=_people("dubois", "weber", "whitfield"),
            agenda=_agenda(
                ("Strand by strand: contributions received", "Jonas Weber", 120),
                ("Lunch", "", 60),
                ("Key messages and political dialogue", "Claire Dubois / James Whitfield", 90),
                ("Timeline to endorsement", "Jonas Weber", 30),
            ),
            actions=[
                _done("Consolidate the draft and circulate it", EEAS, date(2024, 5, 10)),
            ],
        ),
        MeetingDraft(
            uid=demo_uid("fac-defence-2024"),
            title="Foreign Affairs Council (Defence) – NATO Secretary General invited",
            kind="ministerial",
            start=_at(2024, 5, 28, 9, 30),
            end=_at(2024, 5, 28, 17, 0),
            strands=["political"],
            location="Europa building, Brussels",
            lead_side=LeadSide.EU,
            marking=PUBLIC,
            release_level=ReleaseLevel.PUBLIC,
        ),
        MeetingDraft(
            uid=demo_uid("nato-summit-2024"),
            title="NATO Summit in Washington – EU leaders invited",
            kind="ministerial",
            start=date(2024, 7, 9),
            end=date(2024, 7, 12),
            tz="America/New_York",
            strands=["political"],
            location="Washington, D.C.",
            lead_side=LeadSide.NATO,
            marking=PUBLIC,
            release_level=ReleaseLevel.PUBLIC,
        ),
        MeetingDraft(
            uid=demo_uid("senior-officials-2024"),
            title="Senior officials' political dialogue",
            kind="staff-talks",
            start=_at(2024, 10, 29, 15, 0),
            end=_at(2024, 10, 29, 17, 0),
            strands=["political"],
            location="NATO Headquarters, Brussels",
            marking=STAFF_ONLY,
            description="Building mutual understanding and reciprocal transparency at senior "
            "staff level.",
            participants=_people("dubois", "whitfield"),
        ),
        MeetingDraft(
            uid=demo_uid("public-event-2024"),
            title="EU–NATO public conference on resilience",
            kind="other",
            start=_at(2024, 11, 20, 9, 0),
            end=_at(2024, 11, 20, 13, 0),
            strands=["political", "hybrid"],
            location="Brussels",
            status=Status.CANCELLED,
            marking=PUBLIC,
            release_level=ReleaseLevel.PUBLIC,
            description="Cancelled: the venue became unavailable; to be reprogrammed in 2025.",
        ),
        MeetingDraft(
            uid=demo_uid("progress-report-10"),
            title="Tenth progress report – joint drafting session",
            kind="staff-talks",
            start=_at(2025, 4, 29, 10, 0),
            end=_at(2025, 4, 29, 16, 0),
            strands=ALL_STRANDS,
            location="NATO Headquarters, Brussels",
            status=Status.TENTATIVE,
            marking=STAFF_ONLY,
            participants=_people("dubois", "weber", "whitfield"),
        ),
        MeetingDraft(
            uid=demo_uid("nato-summit-2025"),
            title="NATO Summit in The Hague – EU leaders invited",
            kind="ministerial",
            start=date(2025, 6, 24),
            end=date(2025, 6, 26),
            tz="Europe/Amsterdam",
            strands=["political"],
            location="The Hague",
            lead_side=LeadSide.NATO,
            marking=PUBLIC,
            release_level=ReleaseLevel.PUBLIC,
        ),
    ]


def _exercises() -> list[MeetingDraft]:
    return [
        MeetingDraft(
            uid=demo_uid("pace-2022-2023-review"),
            title="PACE 2022-2023 – closing review",
            kind="staff-talks",
            start=_at(2023, 7, 11, 10, 0),
            end=_at(2023, 7, 11, 12, 30),
            strands=["exercises"],
            location="EEAS, Brussels",
            marking=STAFF_ONLY,
            description="Looking back at the Plan for Implementation of Parallel and Coordinated "
            "Exercises for 2022-2023 before extending the concept to 2024-2025.",
            outcomes="Both staffs recommend extending the PACE concept to 2024-2025.",
            participants=_people("romano", "solberg"),
        ),
    ]


def demo_meetings() -> list[MeetingDraft]:
    """Every stand-alone sample meeting (the exercise brings its own phase meetings)."""
    return [
        *_operational(),
        *_cyber(),
        *_mobility(),
        *_capacity_building(),
        *_hybrid(),
        *_industry(),
        *_political(),
        *_exercises(),
    ]


def demo_exercise() -> ExerciseDraft:
    def phase_meeting(
        slug: str, title: str, start: datetime | date, end: datetime | date, **extra: object
    ) -> MeetingDraft:
        return MeetingDraft.model_validate(
            {
                "uid": demo_uid(f"pace-{slug}"),
                "title": title,
                "kind": "exercise-phase",
                "start": start,
                "end": end,
                "strands": ["exercises"],
                "marking": STAFF_ONLY,
                **extra,
            }
        )

    return ExerciseDraft(
        uid=PACE_UID,
        name="PACE 2024-2025",
        programme="PACE 2024-2025",
        period_start=date(2024, 1, 1),
        period_end=date(2026, 1, 1),
        description="Parallel and coordinated exercises of the EU and NATO for 2024-2025, "
        "extending the concept that worked in 2022-2023.",
        marking=STAFF_ONLY,
        phases=[
            PhaseDraft(
                name="Concept and calendar agreed",
                phase_type=PhaseType.CONCEPT,
                start=date(2024, 1, 16),
                end=date(2024, 1, 17),
                location="Brussels",
                meeting=phase_meeting(
                    "concept",
                    "PACE 2024-2025 – concept meeting",
                    _at(2024, 1, 16, 10, 0),
                    _at(2024, 1, 16, 12, 0),
                    location="EEAS, Brussels",
                    participants=_people("romano", "solberg"),
                ),
            ),
            PhaseDraft(
                name="Initial planning conference",
                phase_type=PhaseType.PLANNING_CONFERENCE,
                start=date(2024, 4, 16),
                end=date(2024, 4, 17),
                location="NATO Headquarters, Brussels",
                meeting=phase_meeting(
                    "ipc",
                    "PACE 2024-2025 – initial planning conference",
                    _at(2024, 4, 16, 9, 0),
                    _at(2024, 4, 16, 17, 0),
                    location="NATO Headquarters, Brussels",
                    participants=_people("romano", "nowak", "solberg", "carvalho"),
                    agenda=_agenda(
                        ("Aims and scenario outline", "Ingrid Solberg", 60),
                        ("EU part: objectives and timeline", "Lucia Romano", 60),
                        ("NATO part: objectives and timeline", "Ingrid Solberg", 60),
                        ("Lunch", "", 60),
                        ("Coordination points between the two parts", "Lucia Romano", 90),
                        ("Military mobility injects", "Rui Carvalho", 45),
                        ("Milestones to the main planning conference", "co-chairs", 30),
                    ),
                    actions=[
                        _done("Agree the scenario outline", EUMS, date(2024, 6, 30)),
                        _open("Nominate exercise liaison officers", NATO_IMS, date(2024, 9, 1)),
                    ],
                ),
            ),
            PhaseDraft(
                name="Main planning conference (EU part)",
                phase_type=PhaseType.PLANNING_CONFERENCE,
                part=ExercisePart.EU,
                start=date(2024, 10, 1),
                end=date(2024, 10, 3),
                location="EEAS, Brussels",
                meeting=phase_meeting(
                    "mpc",
                    "PACE 2024-2025 – main planning conference (EU part)",
                    date(2024, 10, 1),
                    date(2024, 10, 3),
                    location="EEAS, Brussels",
                    lead_side=LeadSide.EU,
                ),
            ),
            PhaseDraft(
                name="Final planning conference (NATO part)",
                phase_type=PhaseType.PLANNING_CONFERENCE,
                part=ExercisePart.NATO,
                start=date(2025, 2, 4),
                end=date(2025, 2, 5),
                location="NATO Headquarters, Brussels",
                meeting=phase_meeting(
                    "fpc",
                    "PACE 2024-2025 – final planning conference (NATO part)",
                    _at(2025, 2, 4, 9, 0),
                    _at(2025, 2, 4, 16, 0),
                    location="NATO Headquarters, Brussels",
                    lead_side=LeadSide.NATO,
                ),
            ),
            PhaseDraft(
                name="EU crisis management exercise – execution",
                phase_type=PhaseType.EXECUTION,
                part=ExercisePart.EU,
                start=date(2025, 5, 12),
                end=date(2025, 5, 17),
            ),
            PhaseDraft(
                name="NATO crisis management exercise – execution",
                phase_type=PhaseType.EXECUTION,
                part=ExercisePart.NATO,
                start=date(2025, 10, 6),
                end=date(2025, 10, 11),
            ),
            PhaseDraft(
                name="Joint lessons identified workshop",
                phase_type=PhaseType.LESSONS,
                start=date(2025, 11, 18),
                end=date(2025, 11, 19),
                location="Brussels",
                meeting=phase_meeting(
                    "lessons",
                    "PACE 2024-2025 – joint lessons identified workshop",
                    _at(2025, 11, 18, 9, 30),
                    _at(2025, 11, 18, 16, 30),
                    location="EEAS, Brussels",
                    status=Status.TENTATIVE,
                ),
            ),
        ],
    )


# --- seeding ---------------------------------------------------------------------------------


def _meeting_exists(session: Session, uid: str) -> bool:
    found = session.exec(
        select(col(MeetingRecord.id)).where(
            col(MeetingRecord.uid) == uid, col(MeetingRecord.recurrence_id).is_(None)
        )
    ).first()
    return found is not None


def _series_id(session: Session, name: str) -> int | None:
    return session.exec(
        select(col(SeriesRecord.id)).where(func.lower(col(SeriesRecord.name)) == name.casefold())
    ).first()


def _iteration_taken(session: Session, draft: MeetingDraft) -> bool:
    """A user's own meeting already holds this iteration number of the series."""
    if draft.series is None or draft.iteration is None:
        return False
    series_id = _series_id(session, draft.series)
    if series_id is None:
        return False
    found = session.exec(
        select(col(MeetingRecord.id)).where(
            col(MeetingRecord.series_id) == series_id,
            col(MeetingRecord.iteration) == draft.iteration,
        )
    ).first()
    return found is not None


def _exercise_exists(session: Session, uid: str) -> bool:
    found = session.exec(
        select(col(ExerciseRecord.id)).where(col(ExerciseRecord.uid) == uid)
    ).first()
    return found is not None


def seed_demo(services: Services) -> DemoResult:
    """Fill the calendar with the sample; what is already there (same UID or name) is kept."""
    added = skipped = 0
    recurring_id: int | None = None
    with services.db.transaction() as session:
        for series in demo_series():
            if _series_id(session, series.name) is None:
                services.series.create_in(session, series)
        for draft in demo_meetings():
            assert draft.uid is not None
            if _meeting_exists(session, draft.uid) or _iteration_taken(session, draft):
                skipped += 1
                continue
            meeting_id = services.meetings.create_in(session, draft)
            added += 1
            if draft.uid == RECURRING_UID:
                recurring_id = meeting_id
        exercise = demo_exercise()
        phase_meetings = [p for p in exercise.phases if p.meeting is not None]
        assert exercise.uid is not None
        if _exercise_exists(session, exercise.uid):
            skipped += len(phase_meetings)
        else:
            for phase in phase_meetings:
                assert phase.meeting is not None
                assert phase.meeting.uid is not None
                if _meeting_exists(session, phase.meeting.uid):
                    phase.meeting = None
                    skipped += 1
                else:
                    added += 1
            services.exercises.create_in(session, exercise)
    if recurring_id is not None:
        services.meetings.override_occurrence(
            recurring_id,
            RECURRING_MOVED_FROM,
            MeetingPatch(
                start=RECURRING_MOVED_TO,
                description="Moved one week later: 15 August is a public holiday in Belgium.",
            ),
        )
        services.meetings.skip_occurrence(recurring_id, RECURRING_SKIPPED)
    return DemoResult(added=added, skipped=skipped)
