"""Pure analytics over the canonical event log (exports are filled in by their modules)."""
