"""The project's exceptions: only for what cannot be recovered.

Problems found in submissions are findings (see findings.py), never exceptions.
The CLI catches FulianError, prints its Chinese message on one line and exits with its
code: 1 errors in the data, 2 usage, 3 the program or the machine.
"""


class FulianError(Exception):
    """Base of every error the CLI reports as one Chinese line. `command_line` is the
    same message where it names an option (加 --force) that Python passes as an
    argument (force=True); str() is the library's."""

    exit_code = 1

    def __init__(self, message: str = "", command_line: str | None = None):
        super().__init__(message)
        self.command_line = command_line if command_line is not None else message


class UsageError(FulianError):
    """The user asked for something impossible (bad option value, missing file)."""

    exit_code = 2


class MachineError(FulianError):
    """The machine cannot do what was asked: the disk is full or read-only, memory ran out."""

    exit_code = 3


class CatalogError(FulianError):
    """The indicator catalog or the rules file cannot be used."""

    exit_code = 2


class ConfigError(FulianError):
    """fulian.toml or the org registry cannot be used."""

    exit_code = 2


class ExpressionError(FulianError):
    """A rule expression cannot be parsed or evaluated."""

    exit_code = 2
