"""Commands over the graph itself: build it, import parties into it, summarize it, query it."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from exportkg.graph import formats
from exportkg.graph.answers.summary import summarize
from exportkg.graph.build.importer import import_parties
from exportkg.graph.build.pipeline import build as run_build
from exportkg.graph.cli.options import fail, remote_options
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError
from exportkg.graph.render.table import render
from exportkg.graph.store.named import check_entities
from exportkg.graph.store.opening import opened
from exportkg.queries.catalog import NamedQuery, catalog, parse

QUERY_FORMATS = ["table", "csv", "tsv", "json"]


@click.command()
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
        with opened(settings) as store:
            click.echo(summarize(store, settings, result.warnings))
    except ExportKGError as exc:
        fail(exc)


@click.command()
@click.pass_obj
@remote_options
def summary(settings: Settings) -> None:
    """Triples per graph and entities per class of the current store."""
    try:
        with opened(settings) as store:
            click.echo(summarize(store, settings, []))
    except ExportKGError as exc:
        fail(exc)


@click.command("queries")
@click.pass_obj
def list_queries(settings: Settings) -> None:
    """List the named queries with their parameters."""
    for query in catalog(settings.queries_dir).named.values():
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
    named = catalog(settings.queries_dir).named
    if name not in named:
        raise click.UsageError(f"no named query {name!r}; `exportkg queries` lists them")
    return named[name]


@click.command()
@click.argument("name", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Run the SPARQL in this file.")
@click.option("--sparql", help="Run this SPARQL text.")
@click.option("--param", "params", multiple=True, help="key=value for a $key parameter.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help=f"table (for reading), csv or json ({formats.media_type('json')}), tsv (plain values).")
@click.pass_obj
@remote_options
def query(settings: Settings, name: str | None, file: Path | None, sparql: str | None,
          params: tuple[str, ...], fmt: str) -> None:
    """Run a named query (see `exportkg queries`), a query file, or inline SPARQL."""
    named = _resolve_query(settings, name, file, sparql)
    try:
        text = named.render(_parse_params(params))
        with opened(settings) as store:
            try:
                check_entities(store, settings, named, _parse_params(params))
                result = store.query(text)
                click.echo(render(result, fmt, Console(width=220, record=True)), nl=False)
            except SyntaxError as exc:
                raise click.ClickException(f"SPARQL syntax error: {exc}") from None
    except ExportKGError as exc:
        fail(exc)


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--rebuild", is_flag=True, help="Rebuild the store in full instead of updating it through "
              "the rules the rows reach (the result is the same).")
@click.pass_obj
@remote_options
def import_command(settings: Settings, file: Path, rebuild: bool) -> None:
    """Import parties (id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source
    and optionally owners: id:share;id:share)."""
    try:
        result = import_parties(settings, file, show_progress=True, rebuild=rebuild)
    except ExportKGError as exc:
        fail(exc)
    how = "rebuilt in full" if result.updated is None else (
        f"updated in {result.updated.seconds:.1f} s: {result.updated.added} facts added, "
        f"{result.updated.removed} removed, {result.updated.rederived.steps} rule steps run again")
    click.echo(f"imported {result.added} new and {result.replaced} replaced part(ies); the store was {how}; "
               "determinations are up to date")
