"""What a build was made from besides its import record, as a digest kept inside the build directory.

An import that updates the published store in place of a rebuild (graph/build/incremental.py) is
right only if a rebuild would start from the same inputs: the same shipped data, ontology, shapes and
rules, the same imported lists and GLEIF files, the same code. The digest covers all of them (a GLEIF
file by name, size and modification time: hashing 400 MB would cost more than the update), so a
changed input makes the next import rebuild in full.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from exportkg.graph.config import PACKAGE_ROOT, Settings

STAMP = "exportkg-inputs.txt"
#: the code whose output a build publishes: the loaders, the checks, the reasoner
CODE = ((PACKAGE_ROOT / "graph" / "loaders", "*.py"), (PACKAGE_ROOT / "graph" / "reasoning", "*.py"),
        (PACKAGE_ROOT / "graph" / "build", "pipeline.py"), (PACKAGE_ROOT / "graph" / "build", "shacl*.py"),
        (PACKAGE_ROOT / "graph", "namespaces.py"))


def digest(settings: Settings) -> str:
    """A digest of every build input but the import record."""
    h = hashlib.sha256()
    for folder, pattern in ((settings.data_dir, "*"), (settings.ontology_dir, "*.ttl"),
                            (settings.queries_dir / "rules", "*.rq"), *CODE):
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
            _content(h, path)
    for path in filter(None, (settings.lists_file, settings.list_removals_file)):
        if path.exists():
            _content(h, path)
    gleif = settings.gleif_dir
    for path in sorted(p for p in gleif.rglob("*") if p.is_file()) if gleif is not None else []:
        stat = path.stat()  # the golden copy and the deltas imported on it (loaders/gleif_files.py)
        h.update(f"{path.relative_to(gleif)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    h.update(repr((settings.reason_regimes, settings.scenarios)).encode())
    return h.hexdigest()


def _content(h: hashlib._Hash, path: Path) -> None:
    h.update(f"{path.name} {path.stat().st_size}\n".encode())
    h.update(path.read_bytes())


def stamp(settings: Settings, build_dir: Path) -> None:
    """Write the digest of the inputs this build was made from into its directory."""
    target = build_dir / STAMP
    target.write_text(digest(settings) + "\n", encoding="ascii")
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def same(settings: Settings, build_dir: Path) -> bool:
    """Whether the build was made from the inputs `settings` names now."""
    try:
        return (build_dir / STAMP).read_text(encoding="ascii").strip() == digest(settings)
    except OSError:
        return False
