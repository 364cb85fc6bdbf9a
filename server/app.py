"""The Flask app factory: one app over one store, its parts as blueprints.

The app never writes to the store. It reopens the published store when a build or an import swaps it
in, so `exportkg build` and `exportkg serve` can run side by side (server/state.py).
"""

from __future__ import annotations

from flask import Flask

from exportkg.graph.config import Settings
from exportkg.server.state import ServerState, state


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes  # a query may fill the whole form
    app.extensions["exportkg"] = ServerState(settings)
    from exportkg.server.sparql import endpoint
    from exportkg.server.views import api, determine_pages, impact_pages, maps, pages
    from exportkg.server.viz import views as graph_views

    for blueprint in (endpoint.bp, pages.bp, api.bp, graph_views.bp, impact_pages.bp, maps.bp,
                      determine_pages.bp):
        app.register_blueprint(blueprint)

    @app.teardown_appcontext
    def _release(_exc: BaseException | None) -> None:
        state().release()

    return app
