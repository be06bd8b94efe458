"""Layout factories shared by pages (tables, cards, empty states)."""
