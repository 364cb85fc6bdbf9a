"""Commands that answer researchers' questions: a determination, and what a rule change changes."""

from __future__ import annotations

import json

import click
from rich.console import Console

from exportkg.graph.answers.determine import determine as run_determine
from exportkg.graph.cli.options import fail, remote_options
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError
from exportkg.graph.store.opening import opened


@click.command()
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
        with opened(settings) as store:
            result = run_determine(store, settings, party, item, destination, regime, on)
    except ExportKGError as exc:
        fail(exc)
    click.echo(json.dumps(result.as_json(), indent=2) if fmt == "json" else result.memo())


@click.command()
@click.option("--base", help="Regime id (or scenario) to compare from.")
@click.option("--against", help="Regime id, scenario file (.yaml) or shipped scenario name.")
@click.option("--timeline", "subject", help="A party id or ISO country code: its position regime by regime.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--report-only", is_flag=True,
              help="Stop at the report: a scenario of tier or group moves is not completed into its own store.")
@click.pass_obj
@remote_options
def impact(settings: Settings, base: str | None, against: str | None, subject: str | None, fmt: str,
           report_only: bool) -> None:
    """What changes between two regimes, or a regime and a scenario (or one party's timeline).

    A scenario gets a store of its own under the home: a copy of the embedded store, or with --endpoint
    the remote store's graphs read out through its Graph Store endpoint (--store-endpoint)."""
    from exportkg.graph.impact.compare import Report
    from exportkg.graph.impact.output import report_csv, report_text, timeline_csv, timeline_text
    from exportkg.graph.impact.run import impact as run_impact
    from exportkg.graph.impact.timeline import timeline

    if (subject is None) == (base is None or against is None):
        raise click.UsageError("give --base and --against, or --timeline")
    try:
        if subject is not None:
            with opened(settings) as store:
                result = timeline(store, settings, subject)
            text = {"json": lambda: json.dumps(result.as_json(), indent=2) + "\n", "csv": lambda: timeline_csv(result),
                    "text": lambda: timeline_text(result)}[fmt]()
            click.echo(text, nl=False)
            return

        # a spinner on stderr while a new scenario's store completes after the report (a terminal only)
        status = Console(stderr=True).status("completing the scenario's own store (its rules run; the report is whole)")

        def show(report: Report) -> None:  # as soon as it is made: a new scenario's store completes after
            click.echo({"json": lambda: json.dumps(report.as_json(), indent=2) + "\n",
                        "csv": lambda: report_csv(report), "text": lambda: report_text(report)}[fmt](), nl=False)
            if not report_only:
                status.start()

        drop = (lambda pending: pending.discard()) if report_only else None
        try:
            run_impact(settings, base, against, on_report=show, complete=drop)  # type: ignore[arg-type]
        finally:
            status.stop()
    except ExportKGError as exc:
        fail(exc)
