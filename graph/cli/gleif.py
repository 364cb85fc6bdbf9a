"""`exportkg import-gleif`: a GLEIF golden copy into the graph (graph/build/gleif_import.py)."""

from __future__ import annotations

from pathlib import Path

import click

from exportkg.graph.build.gleif_import import GleifFiles, import_gleif
from exportkg.graph.cli.options import fail, remote_options
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError

FILE = click.Path(path_type=Path, dir_okay=False, exists=True)


@click.command("import-gleif")
@click.argument("level1", type=FILE)
@click.option("--relationships", "rr", type=FILE, help="The relationship records file (RR-CDF, level 2).")
@click.option("--exceptions", "repex", type=FILE, help="The reporting exceptions file (why a parent is not reported).")
@click.option("--delta", is_flag=True,
              help="The files are GLEIF delta files: kept beside the copy imported before, the store updated.")
@click.option("--rebuild", is_flag=True, help="With --delta: rebuild the store in full, not update it in place.")
@click.pass_obj
@remote_options
def import_gleif_command(settings: Settings, level1: Path, rr: Path | None, repex: Path | None, delta: bool,
                         rebuild: bool) -> None:
    """Import a GLEIF golden copy: the level 1 file (LEI-CDF, .csv or .zip) and optionally its
    relationship records and reporting exceptions. It replaces the copy imported before, or with
    --delta updates it with GLEIF's delta files (new and revised records); a bad file changes nothing."""
    try:
        done = import_gleif(settings, GleifFiles(level1, rr, repex), delta=delta, rebuild=rebuild, show_progress=True)
        if done.updated is not None:
            u = done.updated
            click.echo(f"imported {len(done.deltas)} GLEIF delta file(s); the store was updated in {u.seconds:.1f} s: "
                       f"{u.added} facts added, {u.removed} removed, {u.rederived.steps} rule steps run again; "
                       "determinations are up to date")
            return
    except ExportKGError as exc:
        fail(exc)
    counts = done.counts or {}
    click.echo(f"imported {counts.get('entities', 0)} GLEIF entities: {counts.get('withParent', 0)} with a known "
               f"controlling parent, {counts.get('parentUnknown', 0)} whose parent is not known (answers that "
               "depend on it say undetermined); determinations are up to date")
