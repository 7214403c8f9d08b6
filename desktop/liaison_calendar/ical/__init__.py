"""domain <-> iCalendar: export, import, time zones. Pure Python: no SQL, no Qt."""
