"""SLA policies in the app: TOML files in a folder beside the warehouse, one policy per file.

Design
------
* **Where**: ``<warehouse dir>/policies/*.toml`` (:func:`pipelines.samples.policy_dir`); the folder
  is created when the first policy is saved. ``deskmine samples`` installs the sample policy there
  (``sla_policy.toml``), never replacing a file of that name. A user may also drop files there by
  hand: they are read on the next request (cached per file modification time and size).
* **Names**: a policy's name is its file stem (``sla_policy``), lower-case letters, digits and
  ``_``, starting with a letter, at most :data:`MAX_NAME` characters. URLs carry it (``?policy=``).
* **Validity**: every file is parsed with :func:`~pipelines.mining.policy.parse_policy`; a file
  that does not parse is listed with its error (:func:`entries`) but can never be selected.
* **Uploads** (:func:`save_upload`): at most :data:`MAX_POLICY_BYTES`, UTF-8 TOML, parsed before
  anything is written; a bad file is refused with the parser's one-line message (a
  :class:`~dashboard.data.DataError`), and a valid one is written atomically. An existing policy
  of the same name is replaced only when asked.
* **The active policy**: the policy the user selected on /sla (kept in the browser's session, see
  ``ids.POLICY_STORE``) when it still exists and is valid, else the first valid policy by name,
  else none. Page callbacks that feed extension providers (overview cards, the bottlenecks section)
  announce the selection with ``with policies.selected(name): ...``; providers then ask
  :func:`active`. Nothing here imports Dash.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import dataclasses
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dashboard import data
from pipelines.mining.policy import SlaPolicy, parse_policy
from pipelines.samples import policy_dir

MAX_POLICY_BYTES = 256 * 1024
"""Upload limit for a policy file (real ones are a few KB)."""
MAX_NAME = 64
SUFFIX = ".toml"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SELECTED: contextvars.ContextVar[str | None] = contextvars.ContextVar("deskmine_policy", default=None)
_cache: dict[str, tuple[tuple[int, int], SlaPolicy | None, str | None]] = {}
_cache_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class Entry:
    """One policy file: ``name``, ``path``, ``size`` (bytes) and ``error`` (None when valid)."""

    name: str
    path: Path
    size: int
    error: str | None = None

    @property
    def valid(self) -> bool:
        return self.error is None


def folder() -> Path | None:
    """The policy folder of the app's warehouse (None for an in-memory warehouse)."""
    path = data.store().path
    if path == ":memory:":
        return None
    return policy_dir(path)


def policy_name(file_name: str) -> str:
    """A policy name from a file name: ``"Office SLA 2025.toml"`` -> ``"office_sla_2025"``."""
    base = Path(str(file_name or "").replace("\\", "/")).name
    if base.lower().endswith(SUFFIX):
        base = base[: -len(SUFFIX)]
    name = re.sub(r"[^a-z0-9_]+", "_", base.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = "policy_" + name if name else "policy"
    return name[:MAX_NAME].rstrip("_")


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise data.DataError(f"bad policy name {name!r}: use lower-case letters, digits and _, starting with a "
                             f"letter (at most {MAX_NAME} characters)")
    return name


def _read(path: Path) -> tuple[SlaPolicy | None, str | None]:
    """The parsed policy of ``path`` or its error, cached on (mtime, size)."""
    try:
        st = path.stat()
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror or exc}"
    stamp = (st.st_mtime_ns, st.st_size)
    with _cache_lock:
        hit = _cache.get(str(path))
    if hit is not None and hit[0] == stamp:
        return hit[1], hit[2]
    if st.st_size > MAX_POLICY_BYTES:
        policy, error = None, f"{path.name} is larger than {data.format_size(MAX_POLICY_BYTES)}: not a policy file?"
    else:
        try:
            policy, error = parse_policy(path.read_text(encoding="utf-8"), source=path.name), None
        except UnicodeDecodeError:
            policy, error = None, f"{path.name} is not UTF-8 text"
        except (OSError, ValueError) as exc:
            policy, error = None, " ".join(str(exc).split())
    with _cache_lock:
        _cache[str(path)] = (stamp, policy, error)
    return policy, error


def entries() -> list[Entry]:
    """Every ``*.toml`` file of the folder, by name, valid or not (invalid ones carry their error)."""
    where = folder()
    if where is None or not where.is_dir():
        return []
    out = []
    for path in sorted(where.glob(f"*{SUFFIX}")):
        name = path.name[: -len(SUFFIX)]
        if not _NAME.match(name) or not path.is_file():
            continue
        _, error = _read(path)
        out.append(Entry(name, path, path.stat().st_size, error))
    return out


def names() -> list[str]:
    """The names of the valid policies, sorted."""
    return [e.name for e in entries() if e.valid]


def resolve(selected: str | None) -> str | None:
    """``selected`` when it names a valid policy, else the first valid one, else None."""
    valid = names()
    if selected in valid:
        return selected
    return valid[0] if valid else None


def load(name: str) -> SlaPolicy:
    """The policy called ``name`` (DataError when there is none or it does not parse)."""
    where = folder()
    check_name(name)
    path = where / f"{name}{SUFFIX}" if where is not None else None
    if path is None or not path.is_file():
        raise data.DataError(f"there is no SLA policy {name!r} (policies live in {where})")
    policy, error = _read(path)
    if policy is None:
        raise data.DataError(f"the SLA policy {name!r} cannot be used: {error}")
    return policy


def text(name: str) -> str:
    """The raw TOML of policy ``name``."""
    load(name)
    return (folder() / f"{name}{SUFFIX}").read_text(encoding="utf-8")


def save_upload(file_name: str, contents: str, *, replace: bool = False) -> str:
    """Validate and store an uploaded policy (``dcc.Upload`` contents, a base64 data URL); its name.

    Refused (DataError, nothing written): not ``.toml``, over :data:`MAX_POLICY_BYTES`, not UTF-8,
    not a valid policy (the parser's message), or a policy of that name exists and ``replace`` is
    false.
    """
    shown = Path(str(file_name or "policy").replace("\\", "/")).name
    if not shown.lower().endswith(SUFFIX):
        raise data.DataError(f"{shown}: an SLA policy is a TOML file ({SUFFIX})")
    _, _, payload = (contents or "").partition(",")
    if len(payload) * 3 // 4 > MAX_POLICY_BYTES + 3:
        raise data.DataError(f"{shown} is too large for a policy file (limit {data.format_size(MAX_POLICY_BYTES)})")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise data.DataError(f"{shown}: the upload was not received completely (bad encoding); try again") from None
    if len(raw) > MAX_POLICY_BYTES:
        raise data.DataError(f"{shown} is too large for a policy file (limit {data.format_size(MAX_POLICY_BYTES)})")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise data.DataError(f"{shown} is not UTF-8 text: save it as UTF-8 TOML") from None
    try:
        parse_policy(body, source=shown)
    except ValueError as exc:
        raise data.DataError(" ".join(str(exc).split())) from None
    name = check_name(policy_name(shown))
    where = folder()
    if where is None:
        raise data.DataError("this warehouse is in memory: there is no folder to keep policies in")
    target = where / f"{name}{SUFFIX}"
    if target.exists() and not replace:
        raise data.DataError(f"a policy named {name!r} exists already: tick \"replace\" to overwrite it, "
                             "or rename the file")
    try:
        where.mkdir(parents=True, exist_ok=True)
        partial = where / f".{name}.{os.getpid()}.{threading.get_ident()}.partial"
        partial.write_text(body, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        raise data.DataError(f"the policy could not be saved in {where}: {exc.strerror or exc}") from None
    return name


# -- the policy in effect for this request -----------------------------------------------------------

@contextmanager
def selected(name: str | None) -> Iterator[None]:
    """Within the block, :func:`active` honours the user's selection ``name``."""
    token = _SELECTED.set(name)
    try:
        yield
    finally:
        _SELECTED.reset(token)


def active() -> tuple[str, SlaPolicy] | None:
    """``(name, policy)`` in effect: the selection announced by :func:`selected` if valid, else the
    first valid policy; None when there is no policy."""
    name = resolve(_SELECTED.get())
    return None if name is None else (name, load(name))


def describe_folder() -> str:
    where = folder()
    return str(where) if where is not None else "(none: in-memory warehouse)"
