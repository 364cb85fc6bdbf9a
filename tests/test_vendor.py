"""tools/vendor.py, the web assets without npm: against a real HTTP registry on this machine serving
npm-layout tarballs, it takes only the named files of a package whose sha512 is the locked one; a
tampered or unreachable package changes nothing already served."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import importlib.util
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("vendor_tool", ROOT / "tools" / "vendor.py")
vendor_tool = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(vendor_tool)  # type: ignore[union-attr]


def tarball(files: dict[str, bytes]) -> bytes:
    """An npm package tarball: members under `package/`, gzipped."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def packages(evil: bool = False) -> dict[str, bytes]:
    """The three packages, each holding the files tools/vendor.py takes plus one it must leave."""
    made = {}
    for package, wanted in vendor_tool.FILES.items():
        files = {f"package/{inside}": f"{package}:{inside}".encode() for inside in wanted}
        files["package/README.md"] = b"not served"
        if evil:
            files["package/../../escaped.txt"] = b"outside"
        made[package] = tarball(files)
    return made


@contextlib.contextmanager
def registry(tarballs: dict[str, bytes]) -> Iterator[str]:
    """A real HTTP server answering npm's tarball addresses."""
    by_path = {"/" + vendor_tool.tarball_url(p, "1.0.0", "").lstrip("/"): data for p, data in tarballs.items()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = by_path.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def lock_for(tmp_path: Path, tarballs: dict[str, bytes]) -> Path:
    lock = {"lockfileVersion": 3, "packages": {f"node_modules/{p}": {"version": "1.0.0", "integrity": integrity(d)}
                                               for p, d in tarballs.items()}}
    path = tmp_path / "package-lock.json"
    path.write_text(json.dumps(lock), encoding="utf-8")
    return path


def test_the_locked_packages_give_exactly_the_named_files(tmp_path: Path) -> None:
    tarballs = packages(evil=True)
    target = tmp_path / "site" / "vendor"
    with registry(tarballs) as base:
        vendor_tool.vendor(target, base, lock_for(tmp_path, tarballs))
    served = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    expected = sorted(out for wanted in vendor_tool.FILES.values() for out in wanted.values())
    assert served == expected
    assert (target / "yasgui" / "yasgui.min.js").read_bytes() == b"@zazuko/yasgui:build/yasgui.min.js"
    assert not list(tmp_path.rglob("escaped.txt")), "a member's path left the target"
    assert not (target.parent / "vendor.partial").exists()


def test_a_tampered_package_is_refused_and_nothing_served_changes(tmp_path: Path) -> None:
    good = packages()
    target = tmp_path / "vendor"
    with registry(good) as base:
        vendor_tool.vendor(target, base, lock_for(tmp_path, good))
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    tampered = dict(good, **{"vis-network": tarball({"package/peer/umd/vis-network.min.js": b"alert(1)"})})
    with registry(tampered) as base, pytest.raises(vendor_tool.VendorError, match="is not the locked"):
        vendor_tool.vendor(target, base, lock_for(tmp_path, good))
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "vendor.partial").exists()


def test_an_unreachable_registry_fails_with_the_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", "http://127.0.0.1:9/")
    monkeypatch.setattr(vendor_tool.time, "sleep", lambda seconds: None)
    assert vendor_tool.main(["vendor.py", str(tmp_path / "vendor")]) == 1
    message = capsys.readouterr().err
    assert "vendor: http://127.0.0.1:9/@zazuko/yasgui/-/yasgui-4.6.2.tgz:" in message
    assert not (tmp_path / "vendor").exists()


def test_the_lock_pins_every_package_with_sha512() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert {p: vendor_tool.locked(p, lock)[0] for p in vendor_tool.FILES} == \
        json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
