"""What `make run` does, as a user would see it: samples loaded on first start, app on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.samples import sample_log_files
from pipelines.store import Store

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """IPv4/IPv6 addresses listening on ``port`` (from /proc/net/tcp*, no tools needed)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, port_hex = local.rsplit(":", 1)
            if state != "0A" or int(port_hex, 16) != port:  # 0A = LISTEN
                continue
            if len(addr) == 8:
                found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr)[::-1]))
            else:
                words = [bytes.fromhex(addr[i:i + 8])[::-1] for i in range(0, 32, 8)]
                found.add(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
    return found


def test_samples_load_on_first_start_and_are_a_noop_after(db_path, capsys):
    assert main(["samples", "--db", str(db_path)]) == 0
    first = capsys.readouterr().out
    assert set(Store(db_path).log_names()) == set(sample_log_files()) == {"before", "after"}
    assert first.count("loaded") == 2
    assert main(["samples", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.count("unchanged") == 2


def test_serve_binds_loopback_and_answers(db_path):
    assert main(["samples", "--db", str(db_path)]) == 0
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "serve", "--db", str(db_path), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    assert resp.status == 200
                    assert b"deskmine" in resp.read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"app did not answer: {proc.stderr.read() if proc.poll() is not None else 'timeout'}")
                time.sleep(0.5)
        assert listening_addresses(port) == {"127.0.0.1"}
        said = _wait_for_line(proc, "precomputed", timeout=120)
        assert "default views of log 'after' precomputed in" in said, said
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_for_line(proc: subprocess.Popen, text: str, timeout: float) -> str:
    """stderr lines of ``proc`` up to the first containing ``text`` (or all read by ``timeout``)."""
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            if text in line:
                found.set()
                return

    threading.Thread(target=read, daemon=True).start()
    found.wait(timeout)
    return "".join(lines)


def test_non_loopback_bind_without_auth_is_refused(db_path, capsys, monkeypatch):
    monkeypatch.delenv("DESKMINE_AUTH", raising=False)
    code = main(["serve", "--db", str(db_path), "--host", "0.0.0.0"])
    err = capsys.readouterr().err
    assert code == 2
    assert "refusing to serve on 0.0.0.0" in err and "DESKMINE_AUTH" in err


def test_bad_auth_setting_is_refused(db_path, monkeypatch):
    from dashboard.server import auth_credentials

    monkeypatch.setenv("DESKMINE_AUTH", "no-colon")
    with pytest.raises(ValueError, match="must be 'user:password'"):
        auth_credentials()
