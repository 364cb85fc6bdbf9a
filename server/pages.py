"""Blueprint: pages (to be built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
