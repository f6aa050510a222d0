"""Build and launch the hccqa web chat: ``python app.py [--host H] [--port P]``.

Host, port and login also come from ``HCCQA_HOST``, ``HCCQA_PORT`` and
``HCCQA_AUTH=user:password``. Everything else lives in :mod:`hccqa.ui.web`.
"""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    """Parse the flags, load the index once and serve until interrupted."""
    parser = argparse.ArgumentParser(description="hccqa web chat")
    parser.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from hccqa.errors import HccqaError
    from hccqa.extras import require
    from hccqa.settings import Settings

    try:
        for module in ("gradio", "fastapi", "uvicorn"):
            require(module, "web", "the web chat (app.py)")
        from hccqa.ui.web import prepare_server_environment, serve

        prepare_server_environment()
        serve(
            Settings.from_env(host=args.host, port=args.port),
            status=lambda message: print(message, file=sys.stderr, flush=True),
        )
    except HccqaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
