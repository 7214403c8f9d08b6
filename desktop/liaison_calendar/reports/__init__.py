"""Agenda, period report and calendar printouts as HTML. Pure Python: no Qt."""
