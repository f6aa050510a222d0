"""The ``hccqa`` command line: parses, calls the library, prints.

Errors from the library (:class:`hccqa.errors.HccqaError`) become one line on
stderr and exit code 2; no traceback reaches the user.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

import typer

from ..errors import HccqaError

if TYPE_CHECKING:
    from ..settings import Settings

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

    from ..bench.soak import launched_server, run_soak
    from ..settings import Settings

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

    from ..corpus.loader import load_corpus

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


@app.command("build")
def build_cmd(
    corpus: str = typer.Option(None, "--corpus", help="Folder of .txt documents, tables optional."),
    index: str = typer.Option(None, "--index", help="Folder to write the index into."),
    model: str = typer.Option(None, "--model", help="Local sentence-transformers model folder."),
) -> None:
    """Build (or rebuild) the search index for a corpus folder, with a progress bar."""
    from pathlib import Path

    from ..qa import build
    from ..settings import Settings

    settings = Settings.from_env(
        corpus_dir=Path(corpus) if corpus else None,
        index_dir=Path(index) if index else None,
        model=model,
    )
    _prepare_encoder(settings)
    meta = build(settings, progress=True)
    counts = meta["counts"]
    print(
        f"indexed {counts['passages']} passages and {counts['rows']} table rows from "
        f"{meta['documents']} document(s) in {meta['build_seconds']} s -> {settings.index_dir} "
        f"(model {meta['model']}, dim {meta['dimension']}, {meta['index_type']['passages']})"
    )


def _status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare_encoder(settings: Settings) -> None:
    """Export the ONNX encoder first when this machine has none yet, printing its progress."""
    from ..retrieval.embed import prepare_encoder

    prepare_encoder(settings, status=_status)


def _qa(corpus: str | None, index: str | None, model: str | None) -> object:
    from pathlib import Path

    from ..qa import QA
    from ..settings import Settings

    settings = Settings.from_env(
        corpus_dir=Path(corpus) if corpus else None,
        index_dir=Path(index) if index else None,
        model=model,
    )
    _prepare_encoder(settings)
    return QA.load(settings)


def _question_arg(text: str) -> str:
    """The question argument (read from stdin when it is ``-``), checked before anything loads."""
    from ..guard import check_question
    from ..settings import Settings

    raw: object = sys.stdin.buffer.read() if text == "-" else text
    return check_question(raw, Settings.from_env())


@app.command("search")
def search_cmd(
    query: str = typer.Argument(..., help="What to search for ('-' reads it from stdin)."),
    k: int = typer.Option(5, "-k", help="Number of passages."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, dense or bm25."),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as JSON."),
    corpus: str = typer.Option(None, "--corpus", help="Corpus folder."),
    index: str = typer.Option(None, "--index", help="Index folder."),
) -> None:
    """Show the passages that best match a query, with the modes that found them."""
    import json

    query = _question_arg(query)
    qa = _qa(corpus, index, None)
    hits = qa.search(query, k=k, mode=mode)  # type: ignore[attr-defined]
    if as_json:
        print(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    for h in hits:
        text = h.passage.text if len(h.passage.text) <= 200 else h.passage.text[:197] + "..."
        print(
            f"{h.rank:>2}. {h.passage.id} [{h.passage.section}] score {h.score:.3f} "
            f"({'+'.join(h.modes) or '-'})\n    {text}"
        )


@app.command("ask")
def ask_cmd(
    question: str = typer.Argument(..., help="The question ('-' reads it from stdin)."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole answer as JSON."),
    k: int = typer.Option(None, "-k", help="Passages shown with the answer."),
    mode: str = typer.Option(None, "--mode", help="hybrid, dense or bm25."),
    history: list[str] = typer.Option(None, "--history", help="An earlier turn."),  # noqa: B008
    corpus: str = typer.Option(None, "--corpus", help="Corpus folder."),
    index: str = typer.Option(None, "--index", help="Index folder."),
) -> None:
    """Answer a question from the review, every sentence quoted with its citation."""
    import json

    question = _question_arg(question)
    qa = _qa(corpus, index, None)
    ans = qa.ask(question, history or (), k=k, mode=mode)  # type: ignore[attr-defined]
    if as_json:
        print(json.dumps(ans.to_dict(), indent=2, ensure_ascii=False))
        return
    if ans.searched_query != ans.question:
        print(f"(searched: {ans.searched_query})")
    print(ans.answer)
    if ans.rows:
        print("\nTable rows:")
        for r in ans.rows:
            print(f"  {r.row.id}: {r.row.text}  <- {r.reason}")
    if ans.passages:
        print("\nPassages:")
        shown = k or qa.settings.k  # type: ignore[attr-defined]
        for i, h in enumerate(ans.passages[:shown], start=1):
            print(f"  [{i}] {h.passage.id} ({h.passage.section}) score {h.score:.3f}")
        if len(ans.passages) > shown:
            print(f"  ... ({len(ans.passages)} passages; --json shows all)")


@app.command("bench-pubmedqa")
def bench_pubmedqa_cmd(
    data: str = typer.Option(..., "--data", help="PubMedQA ori_pqal.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    report: str = typer.Option(None, "--report", help="Folder for report.md/json and a chart."),
    limit: int = typer.Option(0, "--limit", help="Use only the first N entries (0 = all)."),
    model: str = typer.Option(None, "--model", help="Local sentence-transformers model folder."),
) -> None:
    """PubMedQA PQA-L document retrieval: bm25, dense, hybrid and plain baselines."""
    import json

    from ..bench.pubmedqa import format_table, run_pubmedqa, write_pubmedqa_report
    from ..settings import Settings

    settings = Settings.from_env(model=model)
    _prepare_encoder(settings)
    result = run_pubmedqa(data, settings=settings, limit=limit or None, progress=not as_json)
    if report:
        write_pubmedqa_report(result, report)
    print(json.dumps(result, indent=2) if as_json else format_table(result))


@app.command("serve")
def serve_cmd(
    host: str = typer.Option(None, "--host", help="Bind address (default 127.0.0.1, HCCQA_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default 7860, HCCQA_PORT)."),
) -> None:
    """Start the web chat; the index is loaded once (built first when missing)."""
    from ..settings import Settings
    from .web import prepare_server_environment, serve

    prepare_server_environment()

    settings = Settings.from_env(host=host, port=port)
    _prepare_encoder(settings)
    serve(settings, status=_status)


@app.command("bench-load")
def bench_load_cmd(
    url: str = typer.Option("", "--url", help="Address of a running web chat; empty = launch one."),
    n: int = typer.Option(50, "-n", help="Number of /ask requests."),
    concurrency: int = typer.Option(50, "-c", "--concurrency", help="Requests sent at once."),
) -> None:
    """Load benchmark: N concurrent /ask requests through gradio_client; all must succeed."""
    import contextlib

    from ..bench.soak import launched_server, run_soak
    from ..settings import Settings

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


@app.command("bench")
def bench_cmd(
    questions: str = typer.Option(
        "corpus/gold/questions.jsonl", "--questions", help="Gold JSON Lines questions."
    ),
    passes: int = typer.Option(2, help="Times each question is asked."),
    cold_runs: int = typer.Option(3, help="Cold-start subprocess runs (0 = skip)."),
    corpus: str = typer.Option(None, "--corpus", help="Corpus folder."),
    index: str = typer.Option(None, "--index", help="Index folder."),
    backend: str = typer.Option(None, "--backend", help="Encoder backend: onnx, onnx-int8, torch."),
    backends: str = typer.Option(
        "",
        "--backends",
        help="Compare backends (e.g. torch,onnx,onnx-int8), each in its own process: speed + eval.",
    ),
    yardstick: bool = typer.Option(
        True,
        "--yardstick/--no-yardstick",
        help="Also time the bare torch encode (own process) as the fixed yardstick.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Latency per stage (encode vs all else), ask vs torch encode, cold start, build, memory."""
    import json
    from pathlib import Path

    from ..bench.speed import compare_backends, format_backends, format_bench, run_bench
    from ..settings import Settings

    settings = Settings.from_env(
        corpus_dir=Path(corpus) if corpus else None,
        index_dir=Path(index) if index else None,
        backend=backend,
    )
    if backends:
        names = [b.strip() for b in backends.split(",") if b.strip()]
        rows = compare_backends(
            settings,
            questions,
            names,
            passes=passes,
            cold_start_runs=cold_runs,
            yardstick=yardstick,
        )
        print(json.dumps(rows, indent=2) if as_json else format_backends(rows))
        return
    result = run_bench(
        settings, questions, passes=passes, cold_start_runs=cold_runs, yardstick=yardstick
    )
    print(json.dumps(result.to_dict(), indent=2) if as_json else format_bench(result))


@app.command("bench-scaling")
def bench_scaling_cmd(
    sizes: str = typer.Option("1000,10000,100000,1000000", help="Corpus sizes, comma-separated."),
    kinds: str = typer.Option(
        "flat,hnsw,ivf-sq8,ivf-pq", help="Index kinds: flat, hnsw, ivf, ivf-sq8, ivf-pq."
    ),
    queries: int = typer.Option(200, help="Single queries timed per index."),
    bm25_max: int = typer.Option(100_000, help="Largest size at which BM25 is measured."),
    hnsw_max: int = typer.Option(
        200_000, help="Largest size at which HNSW is built (13 min at 10^6 on 2 cores)."
    ),
    out: str = typer.Option("docs/scaling.json", help="JSON result file (rewritten as it goes)."),
    chart: str = typer.Option("docs/scaling.png", help="PNG chart file ('' = none)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Synthetic scaling benchmark: build time, memory, query p50, recall@10 per index kind."""
    import json
    from pathlib import Path

    from ..bench.scaling import format_table, run_scaling, write_chart
    from ..errors import InputError

    try:
        size_list = [int(float(s)) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"--sizes must be comma-separated numbers, got {sizes!r}") from None
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)

    def save(result: dict[str, object]) -> None:
        out_path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")

    result = run_scaling(
        size_list,
        [k.strip() for k in kinds.split(",") if k.strip()],
        queries=queries,
        bm25_max=bm25_max,
        hnsw_max=hnsw_max,
        on_point=save,
    )
    save(result)
    if chart:
        write_chart(result, Path(chart))
    print(json.dumps(result, indent=2) if as_json else format_table(result))


@app.command("eval")
def eval_cmd(
    gold: str = typer.Option(..., "--gold", help="Gold set, JSON Lines (GOLD_FORMAT.md)."),
    mode: list[str] = typer.Option(None, "--mode", help="Retrieval mode; repeat. Default: all."),  # noqa: B008
    as_json: bool = typer.Option(False, "--json", help="Print the GOLD_FORMAT.md JSON object."),
    report: str = typer.Option(None, "--report", help="Folder for report.md/json and charts."),
    k: int = typer.Option(10, "-k", help="Passages asked per question (>= 10)."),
    corpus: str = typer.Option(None, "--corpus", help="Corpus folder."),
    index: str = typer.Option(None, "--index", help="Index folder."),
) -> None:
    """Score the engine on a gold question set, per retrieval mode."""
    import json

    from ..evaluation.evaluate import evaluate, format_table, load_gold
    from ..evaluation.report import write_report
    from ..settings import MODES

    questions = load_gold(gold)
    qa = _qa(corpus, index, None)
    result = evaluate(
        qa,  # type: ignore[arg-type]
        questions,
        modes=tuple(mode) if mode else MODES,
        k=k,
        gold_path=gold,
        progress=sys.stderr.isatty() or not as_json,
    )
    if report:
        paths = write_report(result, report)
        print(f"report: {', '.join(str(p) for p in paths)}", file=sys.stderr)
    print(json.dumps(result.to_dict(), indent=2) if as_json else format_table(result))


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
