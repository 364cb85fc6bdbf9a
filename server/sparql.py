"""Blueprint: sparql (to be built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sparql", __name__)
