"""Use cases: each public method runs in one transaction and returns read models."""
