"""CalDAV sync: the server (``remote``), what we upload (``check``) and passwords
(``secrets``). The services decide what to send and what to keep; only this package talks to a
server."""
