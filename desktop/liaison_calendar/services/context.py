"""All services of one open calendar, built once by a front end and handed to whoever needs them."""

from dataclasses import dataclass
from pathlib import Path

from liaison_calendar.domain.clock import Clock, SystemClock
from liaison_calendar.services.catalog import CatalogService
from liaison_calendar.services.exercises import ExerciseService
from liaison_calendar.services.feeds import FeedService
from liaison_calendar.services.importer import ImportService
from liaison_calendar.services.meetings import MeetingService
from liaison_calendar.services.queries import QueryService
from liaison_calendar.services.series import SeriesService
from liaison_calendar.store.database import Database, open_database


@dataclass
class Services:
    db: Database
    clock: Clock
    meetings: MeetingService
    series: SeriesService
    exercises: ExerciseService
    queries: QueryService
    catalog: CatalogService
    feeds: FeedService
    importer: ImportService

    @classmethod
    def open(cls, path: Path, clock: Clock | None = None) -> "Services":
        clock = clock or SystemClock()
        db = open_database(path, clock)
        meetings = MeetingService(db, clock)
        catalog = CatalogService(db)
        exercises = ExerciseService(db, clock, meetings)
        queries = QueryService(db, clock)
        series = SeriesService(db, clock, meetings)
        return cls(
            db=db,
            clock=clock,
            meetings=meetings,
            series=series,
            exercises=exercises,
            queries=queries,
            catalog=catalog,
            feeds=FeedService(db, clock, catalog, exercises, queries),
            importer=ImportService(db, clock, meetings, catalog, series, exercises),
        )

    @property
    def path(self) -> Path:
        return self.db.path

    def close(self) -> None:
        self.db.close()
