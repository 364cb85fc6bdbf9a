#!/usr/bin/env python3
"""Fetches the web UI's front-end files (YASGUI, vis-network, vis-data) from the npm registry into
server/static/vendor/, with Python's standard library only.

Why not `npm ci`: the server needs five built files out of three packages, not a Node toolchain, and a
fresh machine (or a Debian one whose Node comes from elsewhere, where the `npm` package conflicts) should
not need npm for `make run`. The versions and their sha512 integrity come from package-lock.json, so
the bytes served are exactly the ones npm would install; a tarball whose digest differs is refused
before anything is unpacked, and only the files named below are taken out of it (no package scripts
run, no path from the archive is trusted).

    python3 tools/vendor.py [TARGET]     (default server/static/vendor; NPM_CONFIG_REGISTRY is honoured)
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: package -> {file inside the package: where it goes under the vendor folder}. vis-network's "peer"
#: build with vis-data's standalone one: the standalone vis-network bundle injects <style> elements at
#: run time, which the pages' Content-Security-Policy (style-src 'self') blocks.
FILES = {
    "@zazuko/yasgui": {"build/yasgui.min.js": "yasgui/yasgui.min.js",
                       "build/yasgui.min.css": "yasgui/yasgui.min.css",
                       "package.json": "yasgui/package.json"},
    "vis-data": {"standalone/umd/vis-data.min.js": "vis-network/vis-data.min.js"},
    "vis-network": {"peer/umd/vis-network.min.js": "vis-network/vis-network.min.js",
                    "styles/vis-network.min.css": "vis-network/vis-network.min.css",
                    "LICENSE-APACHE-2.0": "vis-network/LICENSE-APACHE-2.0",
                    "LICENSE-MIT": "vis-network/LICENSE-MIT"},
}


class VendorError(Exception):
    """A package that cannot be fetched or does not match the lock file."""


def locked(package: str, lock: dict) -> tuple[str, str]:
    """The version and sha512 integrity package-lock.json pins for a package."""
    entry = lock.get("packages", {}).get(f"node_modules/{package}")
    if not entry or not str(entry.get("integrity", "")).startswith("sha512-"):
        raise VendorError(f"package-lock.json: no version with a sha512 integrity for {package}")
    return entry["version"], entry["integrity"]


def tarball_url(package: str, version: str, registry: str) -> str:
    """The registry's tarball address (npm's layout: <name>/-/<basename>-<version>.tgz)."""
    return f"{registry.rstrip('/')}/{package}/-/{package.rsplit('/', 1)[-1]}-{version}.tgz"


def download(url: str, attempts: int = 3) -> bytes:
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.read()
        except OSError as exc:
            if attempt == attempts:
                raise VendorError(f"{url}: {exc}") from None
            time.sleep(2 * attempt)
    raise AssertionError("unreachable")


def checked(data: bytes, integrity: str, url: str) -> bytes:
    """The tarball, if its digest is the one package-lock.json pins."""
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if digest != integrity:
        raise VendorError(f"{url}: sha512 {digest[:24]}... is not the locked {integrity[:24]}...")
    return data


def unpack(data: bytes, wanted: dict[str, str], target: Path, url: str) -> None:
    """Writes the wanted regular files of an npm tarball (members under `package/`) to the target."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = {m.name.removeprefix("package/"): m for m in archive.getmembers() if m.isfile()}
        for inside, outside in wanted.items():
            if inside not in members:
                raise VendorError(f"{url}: no file {inside} in the package")
            path = target / outside
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.extractfile(members[inside]).read())  # type: ignore[union-attr]


def vendor(target: Path, registry: str, lock_file: Path = ROOT / "package-lock.json") -> None:
    lock = json.loads(lock_file.read_text(encoding="utf-8"))
    staged = target.with_name(target.name + ".partial")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    try:
        for package, wanted in FILES.items():
            version, integrity = locked(package, lock)
            url = tarball_url(package, version, registry)
            print(f"vendor: {package} {version}", file=sys.stderr)
            unpack(checked(download(url), integrity, url), wanted, staged, url)
        for path in sorted(staged.rglob("*")):  # all or nothing: the served folder is replaced last
            if path.is_file():
                final = target / path.relative_to(staged)
                final.parent.mkdir(parents=True, exist_ok=True)
                path.replace(final)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "server" / "static" / "vendor"
    registry = os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get("npm_config_registry") \
        or "https://registry.npmjs.org/"
    try:
        vendor(target, registry)
    except VendorError as exc:
        print(f"vendor: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
