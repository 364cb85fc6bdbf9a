"""Security headers on every response: the pages load nothing but this server's own files.

Scripts come only from this origin, with no eval. Styles too, except on the query page: YASGUI's
result table injects <style> elements (its column resizer, some with computed content, so hashes
cannot list them), and only that page gets 'unsafe-inline' styles.
"""

from __future__ import annotations

from flask import Response


def policy(styles: str = "'self'") -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {styles}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


CSP = policy()
CSP_QUERY_UI = policy("'self' 'unsafe-inline'")


def add_security_headers(response: Response) -> Response:
    """Every response gets the strict policy unless its view chose another (the query page)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
