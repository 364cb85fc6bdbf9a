"""The one HTTP error type: every answer other than 200 that the server gives on purpose.

Library code (protocol parsing, the executors, the API) raises HttpError with the status the client
should see and a message saying what to change; each blueprint turns it into its own kind of body
(text for /sparql, JSON for /api, a page for the views). Anything else escaping a view is a bug.
"""

from __future__ import annotations


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class QueryTimeout(HttpError):
    """The query ran past the timeout and its worker was stopped (503: see README, SPARQL endpoint)."""

    def __init__(self, seconds: float):
        super().__init__(503, f"query stopped after the {seconds:g} s timeout of this endpoint; "
                              "narrow it (LIMIT, more specific patterns) or run it locally")
