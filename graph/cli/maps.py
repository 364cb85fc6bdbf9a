"""`exportkg map`: a world map of a regime's tiers, or of an impact, written as SVG or PNG for reports."""

from __future__ import annotations

from pathlib import Path

import click

from exportkg.graph.cli.options import fail, remote_options
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError

FORMATS = {".svg": "svg", ".png": "png"}


@click.command(name="map")
@click.option("--regime", help="Regime id: its AI Diffusion tiers (see `exportkg query regimes`).")
@click.option("--base", help="With --against: the countries an impact changes, coloured by the change.")
@click.option("--against", help="Regime id or scenario name to compare with --base.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write: .svg or .png.")
@click.pass_obj
@remote_options
def map_command(settings: Settings, regime: str | None, base: str | None, against: str | None,
                output: Path) -> None:
    """Draw a world map of a regime's tiers (--regime) or of an impact (--base, --against)."""
    from exportkg.graph.answers.maps import impact_map, iri_link, tier_map
    from exportkg.graph.impact.run import impact
    from exportkg.graph.render import worldmap
    from exportkg.graph.store.opening import opened

    if bool(regime) == bool(base or against) or bool(base) != bool(against):
        raise click.UsageError("give --regime, or --base and --against")
    kind = FORMATS.get(output.suffix.lower())
    if kind is None:
        raise click.UsageError(f"{output}: the file must end in .svg or .png")
    try:
        if regime:
            with opened(settings) as store:
                drawing = tier_map(store, settings, regime, link=iri_link)
        else:
            report = impact(settings, base, against, complete=lambda pending: pending.discard())  # type: ignore[arg-type]
            drawing = impact_map(report, link=iri_link)
    except ExportKGError as exc:
        fail(exc)
    geo = settings.data_dir / "geo"
    if kind == "svg":
        output.write_text(worldmap.svg(drawing, geo), encoding="utf-8")
    else:
        output.write_bytes(worldmap.png(drawing, geo))
    click.echo(f"wrote {output} ({drawing.title})")
