"""Which cases a query sees: the log, narrowed by the log handle's filter (compiled to SQL).

Mining SQL files take two fragments: ``{{cases_where}}``, a predicate over the ``cases`` table
aliased ``c``, and ``{{events_where}}``, a predicate over ``events`` aliased ``e``. Unfiltered, both
are ``true``, so the common case costs no join. Values are always bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.log import Log
from pipelines.store import render


@dataclass(frozen=True)
class Scope:
    cases_where: str
    events_where: str
    params: dict

    def fragments(self) -> dict[str, str]:
        return {"cases_where": self.cases_where, "events_where": self.events_where}


def scope(log: Log) -> Scope:
    """The SQL scope of ``log`` (its name and filter)."""
    params = {"log": log.name}
    if log.filter is None:
        return Scope("true", "true", params)
    from pipelines.mining.filters import compile_filter

    predicate, fparams = compile_filter(log.filter)
    if predicate == "true":
        return Scope("true", "true", params)
    params.update(fparams)
    events_where = render("filters/events_of_cases", predicate=predicate)
    return Scope(predicate, events_where, params)


def run(log: Log, name: str, extra: dict | None = None, **fragments: str):
    """Run ``pipelines/sql/<name>.sql`` in ``log``'s scope; returns a DataFrame."""
    sc = scope(log)
    params = dict(sc.params)
    if extra:
        params.update(extra)
    return log.store.query(name, params, **sc.fragments(), **fragments)
