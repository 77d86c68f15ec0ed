"""The project's exceptions: only for what cannot be recovered.

Problems found in submissions are findings (see findings.py), never exceptions.
The CLI catches FulianError, prints its Chinese message on one line and exits.
"""


class FulianError(Exception):
    """Base of every error the CLI reports as one Chinese line."""

    exit_code = 1


class UsageError(FulianError):
    """The user asked for something impossible (bad option value, missing file)."""

    exit_code = 2


class CatalogError(FulianError):
    """The indicator catalog or the rules file cannot be used."""

    exit_code = 2


class ConfigError(FulianError):
    """fulian.toml or the org registry cannot be used."""

    exit_code = 2


class ExpressionError(FulianError):
    """A rule expression cannot be parsed or evaluated."""

    exit_code = 2
