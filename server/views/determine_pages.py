"""Blueprint: the determination form (/determine) and the printable memo of one answer (/determine/memo).

Both ask the `determine-page` task (server/views/determine_work.py) in a query worker, under the query
timeout, and show the same answer as /api/determine and `exportkg determine`. A question that cannot
be answered (an unknown party, country or item, a bad date) gets the form again with the message and
a 4xx status, never an error page; the memo of a question it cannot answer is that form too. Every
citation is linked to its Federal Register or eCFR page where its form is certain
(server/views/citations.py); templates autoescape everything they show.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from exportkg.server.errors import HttpError
from exportkg.server.state import state
from exportkg.server.views.citations import segments
from exportkg.server.views.determine_work import CONFIDENCE, ITEMS, STATUS, DeterminePage, Question

bp = Blueprint("determine", __name__)
MAX_TEXT = 200  # characters kept of each value


@bp.context_processor
def _helpers() -> dict[str, object]:
    """What the determination templates use to put an answer into words and links."""
    return {"segments": segments, "confidence_words": CONFIDENCE, "status_words": STATUS, "items": ITEMS}


@bp.errorhandler(HttpError)
def _failed(exc: HttpError) -> tuple[str, int]:
    """The work could not be done at all (it passed the query timeout, or the store cannot answer)."""
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


def _question() -> Question:
    args = request.args
    return Question(*(args.get(name, "").strip()[:MAX_TEXT] for name in ("party", "item", "destination", "date")))


def _ask(question: Question) -> DeterminePage:
    return state().run("determine-page", party=question.party, item=question.item,  # type: ignore[return-value]
                       destination=question.destination, day=question.date)


def _form(question: Question, page: DeterminePage) -> tuple[str, int]:
    return render_template("determine.html", question=question, page=page), page.status


@bp.get("/determine")
def form() -> tuple[str, int]:
    """The form; with a question asked, the answer below it (or the parties whose name matches)."""
    question = _question()
    return _form(question, _ask(question))


@bp.get("/determine/memo")
def memo() -> tuple[str, int]:
    """One answer as a memo to print: the question, the answer in words, the reasons and their sources."""
    question = _question()
    page = _ask(question)
    if page.answer is None:
        if page.status == 200 and not page.candidates:
            page.error, page.status = "a memo answers one question: give a party and an item", 400
        return _form(question, page)
    return render_template("determine_memo.html", question=question, answer=page.answer), 200
