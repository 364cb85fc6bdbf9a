"""The web layer's commands, added to `exportkg` through the `exportkg.commands` entry points: serve the
web service, and write a graph view as a standalone HTML file."""

from __future__ import annotations

from pathlib import Path

import click

from exportkg.graph.build.pipeline import build as run_build
from exportkg.graph.cli.options import fail, remote_options
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError
from exportkg.graph.store.opening import opened, published_exists


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--query-timeout", type=float, help="Seconds before a /sparql query is stopped (default 30).")
@click.option("--row-cap", type=click.IntRange(min=1),
              help="Most rows a /sparql answer carries; a cut is announced (default 10000).")
@click.option("--worker-memory", type=click.IntRange(min=256),
              help="MB of address space each query worker may use; a query needing more gets a 503 (default 2048).")
@click.option("--connection-limit", type=click.IntRange(min=8), help="Most open connections (default 500).")
@click.option("--per-address-limit", type=click.IntRange(min=1),
              help="Most open connections from one client address (default 64; raise it behind a proxy).")
@click.pass_obj
@remote_options
def serve(settings: Settings, host: str, port: int, query_timeout: float | None, row_cap: int | None,
          worker_memory: int | None, connection_limit: int | None, per_address_limit: int | None) -> None:
    """Serve /sparql, the query UI and the entity pages (building the graph first if there is none)."""
    from exportkg.server.serve import serve as run_serve  # the web stack loads only for this command

    given = {"query_timeout": query_timeout, "row_cap": row_cap, "worker_memory_mb": worker_memory,
             "connection_limit": connection_limit, "connections_per_address": per_address_limit}
    settings = settings.with_(**{k: v for k, v in given.items() if v is not None})
    if not published_exists(settings):
        click.echo("no graph built yet: building it first")
        try:
            run_build(settings, show_progress=True)
        except ExportKGError as exc:
            fail(exc)
    try:
        run_serve(settings, host, port, on_ready=lambda: click.echo(f"exportkg is serving at http://{host}:{port}/"))
    except ExportKGError as exc:
        fail(exc)


@click.command()
@click.argument("entity")
@click.option("--depth", type=click.IntRange(1, 3), default=1, show_default=True, help="Links away from ENTITY.")
@click.option("--regime", default="ifr-jan2025", show_default=True, help="Regime whose tiers and groups are shown.")
@click.option("--cap", type=click.IntRange(10, 1000), default=150, show_default=True, help="Most nodes drawn.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The HTML file to write.")
@click.pass_obj
@remote_options
def viz(settings: Settings, entity: str, depth: int, regime: str, cap: int, output: Path) -> None:
    """Write ENTITY's neighbourhood as a standalone HTML graph that works offline."""
    from exportkg.server.viz.data import VizError
    from exportkg.server.viz.standalone import standalone

    try:
        with opened(settings) as store:
            html = standalone(store, settings, entity, depth, regime, cap)
    except (ExportKGError, VizError) as exc:
        raise click.ClickException(str(exc)) from None
    output.write_text(html, encoding="utf-8")
    click.echo(f"wrote {output} ({len(html) // 1024} KB)")
