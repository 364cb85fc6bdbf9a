"""A private Oxigraph server (`oxigraph serve`, the dev extras' binary) for remote-store tests and
bench/stores.py: in memory unless options say otherwise, on a free loopback port."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from helpers import free_port, wait_for


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "the oxigraph server binary is not installed (pip install oxigraph: dev extras)"
    return found


@contextlib.contextmanager
def oxigraph_process(*options: str) -> Iterator[str]:
    """`oxigraph serve` on a free port until the block ends; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", *options, "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query?" + urllib.parse.urlencode({"query": "ASK {}"}), proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
