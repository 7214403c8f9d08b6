"""Plain types and rules of the calendar: no Qt, no SQL, no iCalendar."""
