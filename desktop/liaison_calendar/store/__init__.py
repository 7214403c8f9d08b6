"""Storage: tables, the database file, Alembic migrations and queries; no Qt, no iCalendar."""
