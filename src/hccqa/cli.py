"""The ``hccqa`` command line: parses, calls the library, prints.

Errors from the library (:class:`hccqa.errors.HccqaError`) become one line on
stderr and exit code 2; no traceback reaches the user.
"""

from __future__ import annotations

import logging
import os
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


@app.command("bench-soak")
def bench_soak(
    url: str = typer.Option("", help="Address of a running web chat; empty = launch one."),
    pid: int = typer.Option(0, help="Server process id, to report its memory (0 = unknown)."),
    n: int = typer.Option(5000, "-n", help="Number of /ask requests."),
    concurrency: int = typer.Option(8, "-c", "--concurrency", help="Concurrent clients."),
    as_json: bool = typer.Option(False, "--json", help="Print the measurements as JSON."),
) -> None:
    """Soak test: many /ask requests through the web chat; errors, latency, server memory."""
    import contextlib
    import json

    from .settings import Settings
    from .soak import launched_server, run_soak

    settings = Settings.from_env()
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    with contextlib.ExitStack() as stack:
        if not url:
            url, pid = stack.enter_context(launched_server())
        result = run_soak(url, n=n, concurrency=concurrency, pid=pid or None, auth=auth)  # type: ignore[arg-type]
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    d = result.to_dict()
    print(
        f"{result.requests} requests, {result.concurrency} clients, {result.seconds:.1f} s "
        f"({d['requests_per_second']:.1f} req/s)"
    )
    print(f"errors: {result.errors}")
    for sample in result.error_samples:
        print(f"  {sample}")
    print(
        f"latency ms: p50 {result.p50_ms}  p95 {result.p95_ms}  p99 {result.p99_ms}  "
        f"max {result.max_ms}"
    )
    if result.rss_start_mb is None:
        print("server memory: not measured (pass --pid)")
    else:
        print(
            f"server RSS MiB: start {result.rss_start_mb}  after warm-up {result.rss_warm_mb}  "
            f"end {result.rss_end_mb}  peak {result.rss_peak_mb}  "
            f"growth {result.rss_growth_mb:+.1f} (after warm-up "
            f"{result.rss_growth_after_warmup_mb:+.1f})"
        )
    if result.errors:
        raise typer.Exit(1)


@app.command("corpus")
def corpus_cmd(
    path: str = typer.Option("corpus", "--path", help="Corpus folder (review.txt, table*.tsv)."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole corpus as JSON."),
) -> None:
    """Show the corpus: sections, passages, table rows, glossary and references."""
    import json

    from .corpus import load_corpus

    corpus = load_corpus(path)
    if as_json:
        print(json.dumps(corpus.to_dict(), indent=2, ensure_ascii=False))
        return
    print(f"corpus {path}: {', '.join(corpus.files)}  sha256 {corpus.sha256[:12]}")
    print(f"{len(corpus.passages)} passages in {len(corpus.sections)} sections:")
    for section in corpus.sections:
        n = sum(p.section == section for p in corpus.passages)
        print(f"  {n:3d}  {section or '(no section)'}")
    for table, title in corpus.table_titles.items():
        n = sum(r.table == table for r in corpus.rows)
        print(f"{table}: {n} rows  {title}")
    named = sum(r.author is not None for r in corpus.references.values())
    print(f"references: {len(corpus.references)} numbers cited, {named} with a first author")
    print(f"glossary: {len(corpus.glossary)} abbreviations: {', '.join(corpus.glossary)}")


@app.command("serve")
def serve_cmd(
    host: str = typer.Option(None, "--host", help="Bind address (default 127.0.0.1, HCCQA_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default 7860, HCCQA_PORT)."),
) -> None:
    """Start the web chat; the index is loaded once (built first when missing)."""
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from .settings import Settings
    from .web import serve

    settings = Settings.from_env(host=host, port=port)
    serve(settings, status=lambda message: print(message, file=sys.stderr, flush=True))


@app.command("bench-load")
def bench_load_cmd(
    url: str = typer.Option("", "--url", help="Address of a running web chat; empty = launch one."),
    n: int = typer.Option(50, "-n", help="Number of /ask requests."),
    concurrency: int = typer.Option(50, "-c", "--concurrency", help="Requests sent at once."),
) -> None:
    """Load benchmark: N concurrent /ask requests through gradio_client; all must succeed."""
    import contextlib

    from .settings import Settings
    from .soak import launched_server, run_soak

    settings = Settings.from_env()
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    with contextlib.ExitStack() as stack:
        if not url:
            url, _pid = stack.enter_context(launched_server())
        result = run_soak(url, n=n, concurrency=concurrency, auth=auth)  # type: ignore[arg-type]
    ok = result.requests - result.errors
    print(
        f"{ok}/{result.requests} /ask requests succeeded ({result.concurrency} concurrent) "
        f"in {result.seconds:.1f} s against {url}"
    )
    print(f"latency ms: p50 {result.p50_ms}  p95 {result.p95_ms}  max {result.max_ms}")
    for sample in result.error_samples:
        print(f"  error: {sample}")
    if result.errors:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The model loader's "Loading weights" bar is noise on stderr (encoding bars stay).
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        code = app(standalone_mode=False)
    except HccqaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except typer.TyperException as exc:  # a usage error is one line too, not a box
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"error: {message} (see hccqa --help)", file=sys.stderr)
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    except (KeyboardInterrupt, typer.Abort):
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)
