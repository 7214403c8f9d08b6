"""Expected failures, worded for a liaison officer.

Every error a user can cause is a :class:`LiaisonError`; the CLI prints its message on one line and
exits with 2, the desktop app shows it in a message box. Anything else is a bug.
"""


class LiaisonError(Exception):
    """A failure the user can understand and act on."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class ValidationError(LiaisonError):
    """Input that breaks a rule of the calendar (end before start, unknown zone...)."""


class NotFoundError(LiaisonError):
    """A meeting, series, strand... that does not exist."""


class DatabaseError(LiaisonError):
    """The calendar file cannot be used as it is."""


class DatabaseVersionError(DatabaseError):
    """The file was written by a newer version of the app."""


class NotALiaisonDatabaseError(DatabaseError):
    """The file is not a Liaison Calendar database."""


class DatabaseBusyError(DatabaseError):
    """Another running copy holds the write lock for too long."""


class IcsParseError(LiaisonError):
    """An iCalendar file that cannot be read."""


class OutputError(LiaisonError):
    """A file the app was asked to write (feed, PDF, report) could not be written."""
