"""Errors a user can act on: raised with a Chinese message, never shown as a traceback."""

from __future__ import annotations

# The exit codes of every command line (build_cases.py, dangjian-check).
EXIT_OK = 0
EXIT_CONTENT = 1  # the content has errors, or the command refused (e.g. it would overwrite)
EXIT_USAGE = 2  # wrong usage or environment (missing font, tool, folder)


class UserError(Exception):
    """A problem the user must fix; `build_cases.py` prints the message and exits.

    exit_code 1: the content has errors or the command refused (e.g. would
    overwrite); exit_code 2: wrong usage or environment (missing font, tool).
    """

    def __init__(self, message: str, exit_code: int = EXIT_CONTENT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
