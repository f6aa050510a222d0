"""The ``hccqa`` command line: parses, calls the library, prints.

Errors from the library (:class:`hccqa.errors.HccqaError`) become one line on
stderr and exit code 2; no traceback reaches the user.
"""

from __future__ import annotations

import logging
import sys

import typer

from .errors import HccqaError

app = typer.Typer(
    help="Cited question answering over a review of anti-angiogenesis therapy and sorafenib "
    "resistance in hepatocellular carcinoma.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except HccqaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
