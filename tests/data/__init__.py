"""Data files of the tests: golden documents and calendar files of earlier schema revisions."""
