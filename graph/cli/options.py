"""What the commands share: the remote-store options and how library errors become messages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn

import click

from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError


def fail(exc: ExportKGError) -> NoReturn:
    """A library error as a one-line message and exit status 1 (never a traceback)."""
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
