"""Readers (CSV, XES, Parquet) -> pure transforms -> loader into the DuckDB warehouse."""
