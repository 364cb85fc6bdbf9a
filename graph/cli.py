"""The `exportkg` command: a thin click layer over the build, the store and the named queries."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console

from exportkg.queries.catalog import NamedQuery, load_catalog, parse

from .backends import open_published, published_exists
from .build import build as run_build
from .config import Settings
from .determine import determine as run_determine
from .errors import ExportKGError
from .importer import import_parties
from .output import render
from .summary import summarize

FORMATS = ["table", "csv", "tsv", "json"]


@click.group()
@click.option("--home", type=click.Path(path_type=Path), envvar="EXPORTKG_HOME", default="var",
              show_default=True, help="Folder holding the store (also EXPORTKG_HOME).")
@click.option("-v", "--verbose", is_flag=True, help="Log what the build and rules do.")
@click.pass_context
def main(ctx: click.Context, home: Path, verbose: bool) -> None:
    """exportkg: a knowledge graph of US export controls on AI chips and model weights."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings(home=home)


def _fail(exc: ExportKGError) -> None:
    raise click.ClickException(str(exc))


def remote_options(command: Callable[..., None]) -> Callable[..., None]:
    """--endpoint, --update-endpoint and --store-endpoint: use a remote SPARQL 1.1 store instead of the
    embedded one (also EXPORTKG_ENDPOINT, EXPORTKG_UPDATE_ENDPOINT, EXPORTKG_STORE_ENDPOINT)."""

    @click.option("--endpoint", envvar="EXPORTKG_ENDPOINT",
                  help="SPARQL 1.1 query endpoint of a remote store to use instead of the embedded one.")
    @click.option("--update-endpoint", envvar="EXPORTKG_UPDATE_ENDPOINT",
                  help="Its SPARQL 1.1 Update endpoint (needed to build).")
    @click.option("--store-endpoint", envvar="EXPORTKG_STORE_ENDPOINT",
                  help="Its Graph Store Protocol endpoint (optional: faster loads than INSERT DATA).")
    @functools.wraps(command)
    def wrapper(settings: Settings, *args: object, endpoint: str | None, update_endpoint: str | None,
                store_endpoint: str | None, **kwargs: object) -> None:
        if endpoint:
            settings = settings.with_(endpoint=endpoint, update_endpoint=update_endpoint,
                                      store_endpoint=store_endpoint)
        elif update_endpoint or store_endpoint:
            raise click.UsageError("--update-endpoint and --store-endpoint need --endpoint")
        return command(settings, *args, **kwargs)

    return wrapper


@main.command()
@click.option("--check-owl", is_flag=True, help="Also check consistency with owlready2/HermiT.")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Read data files from here instead of the shipped graph/data.")
@click.pass_obj
@remote_options
def build(settings: Settings, check_owl: bool, data_dir: Path | None) -> None:
    """Load, validate and publish the graph (atomic: a failed build keeps the last good store)."""
    if data_dir is not None:
        settings = settings.with_(data_dir=data_dir)
    try:
        result = run_build(settings, check_owl=check_owl, show_progress=True)
        store = open_published(settings)
        click.echo(summarize(store, settings, result.warnings))
        store.close()
    except ExportKGError as exc:
        _fail(exc)


@main.command()
@click.pass_obj
@remote_options
def summary(settings: Settings) -> None:
    """Triples per graph and entities per class of the current store."""
    try:
        store = open_published(settings)
        click.echo(summarize(store, settings, []))
        store.close()
    except ExportKGError as exc:
        _fail(exc)


@main.command("queries")
@click.pass_obj
def list_queries(settings: Settings) -> None:
    """List the named queries with their parameters."""
    for query in load_catalog(settings.queries_dir).values():
        params = " ".join(f"[{p.name}={p.default}]" if p.default else f"<{p.name}>"
                          for p in query.params)
        click.echo(f"{query.name:34} {query.title} {params}".rstrip())


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not key=value", param_hint="--param")
        params[key.strip()] = value.strip()
    return params


def _resolve_query(settings: Settings, name: str | None, file: Path | None,
                   sparql: str | None) -> NamedQuery:
    if sum(x is not None for x in (name, file, sparql)) != 1:
        raise click.UsageError("give exactly one of NAME, --file or --sparql")
    if file is not None:
        return parse(file)
    if sparql is not None:
        return NamedQuery("inline", Path("-"), sparql)
    catalog = load_catalog(settings.queries_dir)
    if name not in catalog:
        raise click.UsageError(f"no named query {name!r}; `exportkg queries` lists them")
    return catalog[name]


@main.command()
@click.argument("name", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Run the SPARQL in this file.")
@click.option("--sparql", help="Run this SPARQL text.")
@click.option("--param", "params", multiple=True, help="key=value for a $key parameter.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
@remote_options
def query(settings: Settings, name: str | None, file: Path | None, sparql: str | None,
          params: tuple[str, ...], fmt: str) -> None:
    """Run a named query (see `exportkg queries`), a query file, or inline SPARQL."""
    named = _resolve_query(settings, name, file, sparql)
    try:
        text = named.render(_parse_params(params))
        store = open_published(settings)
        try:
            result = store.query(text)
            click.echo(render(result, fmt, Console(width=220, record=True)), nl=False)
        except SyntaxError as exc:
            raise click.ClickException(f"SPARQL syntax error: {exc}") from None
        finally:
            store.close()
    except ExportKGError as exc:
        _fail(exc)


@main.command()
@click.option("--party", required=True, help="Organization or data center id (or full IRI).")
@click.option("--item", required=True, help="3A090.a, 3A090.b, 4A090.a, 4A090.b, 4E091, a chip or a model id.")
@click.option("--destination", help="ISO 3166 alpha-2 code or data center id (default: the party's location).")
@click.option("--regime", help="Regime id (see `exportkg query regimes`).")
@click.option("--on", "on", help="A day (YYYY-MM-DD): the regime in force then (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@remote_options
def determine(settings: Settings, party: str, item: str, destination: str | None, regime: str | None,
              on: str | None, fmt: str) -> None:
    """Does exporting ITEM to PARTY need a license, under which policy, and why?"""
    if regime and on:
        raise click.UsageError("give --regime or --on, not both")
    try:
        store = open_published(settings)
        try:
            result = run_determine(store, settings, party, item, destination, regime, on)
        finally:
            store.close()
    except ExportKGError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        click.echo(result.memo())


@main.command()
@click.option("--base", help="Regime id (or scenario) to compare from.")
@click.option("--against", help="Regime id, scenario file (.yaml) or shipped scenario name.")
@click.option("--timeline", "subject", help="A party id or ISO country code: its position regime by regime.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--report-only", is_flag=True,
              help="Stop at the report: a scenario of tier or group moves is not completed into its own store.")
@click.pass_obj
def impact(settings: Settings, base: str | None, against: str | None, subject: str | None, fmt: str,
           report_only: bool) -> None:
    """What changes between two regimes, or a regime and a scenario (or one party's timeline)."""
    from .impact import Report
    from .impact_output import report_csv, report_text, timeline_csv, timeline_text
    from .sides import impact as run_impact
    from .timeline import timeline

    if (subject is None) == (base is None or against is None):
        raise click.UsageError("give --base and --against, or --timeline")
    try:
        if subject is not None:
            store = open_published(settings)
            try:
                result = timeline(store, settings, subject)
            finally:
                store.close()
            text = {"json": lambda: json.dumps(result.as_json(), indent=2) + "\n", "csv": lambda: timeline_csv(result),
                    "text": lambda: timeline_text(result)}[fmt]()
            click.echo(text, nl=False)
        else:
            def show(report: Report) -> None:  # as soon as it is made: a new scenario's store completes after
                click.echo({"json": lambda: json.dumps(report.as_json(), indent=2) + "\n",
                            "csv": lambda: report_csv(report), "text": lambda: report_text(report)}[fmt](), nl=False)

            drop = (lambda pending: pending.discard()) if report_only else None
            run_impact(settings, base, against, on_report=show, complete=drop)  # type: ignore[arg-type]
    except ExportKGError as exc:
        _fail(exc)


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_obj
@remote_options
def import_command(settings: Settings, file: Path) -> None:
    """Import parties (id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source)."""
    try:
        result = import_parties(settings, file)
    except ExportKGError as exc:
        _fail(exc)
    click.echo(f"imported {result.added} new and {result.replaced} replaced part(ies); "
               "determinations are up to date")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--query-timeout", type=float, help="Seconds before a /sparql query is stopped (default 30).")
@click.option("--row-cap", type=click.IntRange(min=1),
              help="Most rows a /sparql answer carries; a cut is announced (default 10000).")
@click.pass_obj
@remote_options
def serve(settings: Settings, host: str, port: int, query_timeout: float | None, row_cap: int | None) -> None:
    """Serve /sparql, the query UI and the entity pages (building the graph first if there is none)."""
    from exportkg.server.serve import serve as run_serve  # the web stack loads only for this command

    if query_timeout is not None:
        settings = settings.with_(query_timeout=query_timeout)
    if row_cap is not None:
        settings = settings.with_(row_cap=row_cap)
    if not published_exists(settings):
        click.echo("no graph built yet: building it first")
        try:
            run_build(settings, show_progress=True)
        except ExportKGError as exc:
            _fail(exc)
    click.echo(f"exportkg is serving at http://{host}:{port}/")
    run_serve(settings, host, port)


@main.command()
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
    from exportkg.server.vizdata import VizError
    from exportkg.server.vizfile import standalone

    try:
        store = open_published(settings)
        try:
            html = standalone(store, settings, entity, depth, regime, cap)
        finally:
            store.close()
    except (ExportKGError, VizError) as exc:
        raise click.ClickException(str(exc)) from None
    output.write_text(html, encoding="utf-8")
    click.echo(f"wrote {output} ({len(html) // 1024} KB)")


if __name__ == "__main__":
    main()
