"""Hooks for features that arrive later (SLA, automation, compare): KPI cards and page sections.

A colleague's page module registers what it adds to *other* pages, at import (Dash imports every
page module at start):

    from dashboard import extensions
    from dashboard.figures.kpis import Kpi

    @extensions.kpi(order=30)
    def sla_breach_rate(state):                       # state: dashboard.state.FilterState
        result = data.compute("sla", state)           # cached per filter state
        return Kpi("sla_breach_rate", "SLA breach rate", result.rate, f"{result.rate:.1%}", "closed cases")

    @extensions.section("bottlenecks", "Customer vs agent wait", order=10)
    def wait_split(state):
        return html.Div(...)                           # any Dash component

Providers run inside the page's callback; a :class:`~dashboard.data.DataError` they raise is shown
in their card / section only, so one failing provider never blanks the page.

A page also registers how to precompute its default view (:mod:`dashboard.warmup` runs these in the
background when the app starts and after an upload is ingested)::

    @extensions.warmer("sla", order=50)
    def _warm(store):                                  # the default view's filter store payload
        show_summary(store, policies.resolve(None))    # the page's own callbacks, default inputs
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard.figures.kpis import Kpi


@dataclass(frozen=True)
class KpiProvider:
    key: str
    order: int
    fn: Callable[[Any], Kpi | list[Kpi]]


@dataclass(frozen=True)
class Section:
    page: str
    title: str
    order: int
    fn: Callable[[Any], Any]


@dataclass(frozen=True)
class Warmer:
    page: str
    order: int
    fn: Callable[[dict], Any]


_KPIS: dict[str, KpiProvider] = {}
_WARMERS: dict[str, Warmer] = {}
_SECTIONS: dict[tuple[str, str], Section] = {}


def kpi(order: int = 50, key: str | None = None):
    """Register ``fn(state) -> Kpi | list[Kpi]`` as overview card(s), ordered by ``order`` (re-registering replaces)."""
    def decorate(fn):
        name = key or fn.__name__
        _KPIS[name] = KpiProvider(name, order, fn)
        return fn
    return decorate


def kpi_providers() -> list[KpiProvider]:
    return sorted(_KPIS.values(), key=lambda p: (p.order, p.key))


def section(page: str, title: str, order: int = 50):
    """Register ``fn(state) -> component`` as a titled section at the end of ``page`` (``"bottlenecks"``...)."""
    def decorate(fn):
        _SECTIONS[(page, title)] = Section(page, title, order, fn)
        return fn
    return decorate


def sections(page: str) -> list[Section]:
    return sorted((s for s in _SECTIONS.values() if s.page == page), key=lambda s: (s.order, s.title))


def warmer(page: str, order: int = 50):
    """Register ``fn(store)``: computes what ``page`` shows by default for the filter store payload
    ``store`` (its callbacks, default inputs), so that its first render reads cached results.
    ``order``: the warm-up's order."""
    def decorate(fn):
        _WARMERS[page] = Warmer(page, order, fn)
        return fn
    return decorate


def warmers() -> list[Warmer]:
    return sorted(_WARMERS.values(), key=lambda w: (w.order, w.page))
