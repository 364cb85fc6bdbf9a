"""`exportkg lists`: refresh the screening lists from trade.gov's file, and review candidate matches."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from exportkg.graph.build.lists_import import import_lists
from exportkg.graph.cli.options import fail, remote_options
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError
from exportkg.graph.render.table import render
from exportkg.graph.store.named import run
from exportkg.graph.store.opening import opened


@click.group()
def lists() -> None:
    """The Consolidated Screening List: import a newer download, review candidate matches."""


@lists.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_obj
@remote_options
def import_command(settings: Settings, file: Path) -> None:
    """Replace the lists with trade.gov's CSL file (consolidated.csv or consolidated.json); atomic."""
    try:
        report = import_lists(settings, file, show_progress=True)
    except ExportKGError as exc:
        fail(exc)
    click.echo("\n".join(report.lines()))
    click.echo("lists imported; determinations are up to date")


@lists.command("candidates")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="table for reading, csv to start a review in a spreadsheet.")
@click.pass_obj
@remote_options
def candidates(settings: Settings, fmt: str) -> None:
    """Possible matches of list entries to organizations (name, alias, country), for review only."""
    try:
        with opened(settings) as store:
            result = run(store, settings, "list-candidates")
            click.echo(render(result, fmt, Console(width=220, record=True)), nl=False)
    except ExportKGError as exc:
        fail(exc)
