"""fulian-stats: read, check, aggregate and report Women's Federation statistics."""

__version__ = "0.1.0"
