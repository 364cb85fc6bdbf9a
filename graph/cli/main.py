"""The `exportkg` group: its global options, its own commands, and the commands other parts add.

The graph layer never imports the web layer: `serve` and `viz` come from exportkg.server through the
`exportkg.commands` entry points (pyproject.toml), loaded when the group is built.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from pathlib import Path

import click

from exportkg.graph.cli import answers, data, gleif, lists, maps
from exportkg.graph.config import Settings

log = logging.getLogger(__name__)
PLUGINS = "exportkg.commands"


@click.group()
@click.option("--home", type=click.Path(path_type=Path), envvar="EXPORTKG_HOME", default="var",
              show_default=True, help="Folder holding the store (also EXPORTKG_HOME).")
@click.option("-v", "--verbose", is_flag=True, help="Log what the build and rules do.")
@click.pass_context
def main(ctx: click.Context, home: Path, verbose: bool) -> None:
    """exportkg: a knowledge graph of US export controls on AI chips and model weights."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings(home=home)


for _command in (data.build, data.summary, data.list_queries, data.query, data.import_command,
                 gleif.import_gleif_command,
                 answers.determine, answers.impact, maps.map_command, lists.lists):
    main.add_command(_command)

for _entry in entry_points(group=PLUGINS):
    main.add_command(_entry.load(), _entry.name)
