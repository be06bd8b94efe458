"""A handle on one log of a warehouse: what the mining API takes as its first argument."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.store import Store


@dataclass(frozen=True)
class Log:
    """One named log in a :class:`~pipelines.store.Store`, optionally narrowed by a filter.

    Obtain it with ``Store(path).log("helpdesk")``. It holds no data: every mining function runs
    its SQL in the store when called. ``Log`` is hashable (store identity, name, filter), so results
    can be cached per filter state.
    """

    store: Store = field(compare=False, hash=False, repr=False)
    name: str
    filter: object | None = None

    @property
    def store_key(self) -> tuple[str, int]:
        return (self.store.path, self.store.token)

    def __hash__(self) -> int:
        return hash((self.store_key, self.name, self.filter))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Log)
            and self.store_key == other.store_key
            and self.name == other.name
            and self.filter == other.filter
        )
