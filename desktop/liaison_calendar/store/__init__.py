"""Storage: SQLModel tables, the database file, Alembic migrations and queries. No Qt, no iCalendar."""
