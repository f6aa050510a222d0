"""The ``hccqa`` command line: parses, calls the library, prints.

Errors from the library (:class:`hccqa.errors.HccqaError`) become one line on
stderr and exit code 2; no traceback reaches the user. Every command that reads a
corpus takes ``--corpus``, ``--index`` and ``--model``, with the same defaults as
the Python API: the packaged review, the per-user cache, the packaged model.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import typer

from .._version import __version__
from ..errors import HccqaError

if TYPE_CHECKING:
    from ..bench.soak import OversizedResult
    from ..settings import Settings

app = typer.Typer(
    help="Cited question answering over your documents; by default over the scientific "
    "review packaged with hccqa (`hccqa corpus` describes it).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: "--json", "-k N", "--corpus DIR"
)


def _corpus_option() -> Any:
    return typer.Option(
        None,
        "--corpus",
        metavar="DIR",
        help="Folder of .txt, .md and .pdf documents (and .tsv or .csv tables), read recursively "
        "(default: the packaged review; HCCQA_CORPUS_DIR).",
    )


def _index_option() -> Any:
    return typer.Option(
        None,
        "--index",
        metavar="DIR",
        help="Index folder (default: the per-user cache, one folder per corpus and model; "
        "HCCQA_INDEX_DIR).",
    )


def _model_option() -> Any:
    return typer.Option(
        None,
        "--model",
        metavar="DIR",
        help="Local sentence-transformers model folder (default: the packaged "
        "all-MiniLM-L6-v2; HCCQA_MODEL).",
    )


def _rebuild_option() -> Any:
    return typer.Option(
        False,
        "--rebuild",
        metavar="",
        help="Rebuild the index first (needed to replace an index built with another model).",
    )


def _flag(name: str, help: str) -> Any:
    return typer.Option(False, name, metavar="", help=help)


def _settings(
    corpus: str | None, index: str | None, model: str | None, **more: Any
) -> Any:  # -> Settings (imported lazily)
    from pathlib import Path

    from ..settings import Settings

    return Settings.from_env(
        corpus_dir=Path(corpus) if corpus else None,
        index_dir=Path(index) if index else None,
        model=model,
        **more,
    )


def _print_version(value: bool) -> None:
    if value:
        print(f"hccqa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        metavar="",
        is_eager=True,
        callback=_print_version,
        help="Print the version and exit.",
    ),
) -> None:
    """Cited question answering over your documents (default: the packaged review)."""


@app.command("bench-soak")
def bench_soak(
    url: str = typer.Option(
        "", metavar="URL", help="Address of a running web chat; empty = launch one."
    ),
    pid: int = typer.Option(
        0, metavar="PID", help="Server process id, to report its memory (0 = unknown)."
    ),
    n: int = typer.Option(5000, "-n", metavar="N", min=1, help="Number of /ask requests."),
    concurrency: int = typer.Option(
        8, "-c", "--concurrency", metavar="N", min=1, help="Concurrent clients."
    ),
    oversized: int = typer.Option(
        0,
        "--oversized",
        metavar="N",
        min=0,
        help="Instead: send N requests of 20 MB; report how each was refused.",
    ),
    as_json: bool = _flag("--json", "Print the measurements as JSON."),
) -> None:
    """Soak test: many /ask requests through the web chat; errors, latency, server memory."""
    import contextlib
    import json

    from ..extras import require

    require("gradio_client", "bench", "hccqa bench-soak")
    require("psutil", "bench", "hccqa bench-soak")
    from ..bench.soak import launched_server, run_oversized, run_soak
    from ..settings import Settings

    settings = Settings.from_env()
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    with contextlib.ExitStack() as stack:
        if not url:
            url, pid = stack.enter_context(launched_server())
        if oversized:
            big = run_oversized(url, n=oversized, pid=pid or None, auth=auth)  # type: ignore[arg-type]
        else:
            result = run_soak(url, n=n, concurrency=concurrency, pid=pid or None, auth=auth)  # type: ignore[arg-type]
    if oversized:
        _print_oversized(big, as_json)
        return
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


@contextlib.contextmanager
def _skips_listed() -> Iterator[None]:
    """The loader's warning per file skipped silenced: the command lists them after."""
    from ..corpus.loader import skip_log

    level = skip_log.level
    skip_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        skip_log.setLevel(level)


def _print_skipped(skipped: list[dict[str, str]]) -> None:
    if skipped:
        print(f"not indexed ({len(skipped)} file{'s' if len(skipped) != 1 else ''}):")
        for f in skipped:
            print(f"  {f['path']}: {f['reason']}")


def _print_oversized(result: OversizedResult, as_json: bool) -> None:
    import json

    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        mib = result.size_bytes / 2**20
        print(
            f"{result.requests} requests of {mib:.1f} MiB to /gradio_api/call/ask and "
            "/gradio_api/queue/join (Content-Length and chunked, in turn) "
            f"in {result.seconds:.1f} s"
        )
        answers = ", ".join(f"{count} x {status}" for status, count in result.answers.items())
        print(f"answers: {answers}; body bytes sent before the refusal: {result.bytes_sent:,}")
        if result.rss_before_mb is None:
            print("server memory: not measured (pass --pid)")
        else:
            print(
                f"server RSS MiB: before {result.rss_before_mb}  after {result.rss_after_mb} "
                f"({result.idle_seconds:.0f} s idle)  peak {result.rss_peak_mb}  "
                f"growth {result.rss_growth_mb:+.1f}"
            )
        print(f"answers a question afterwards: {'yes' if result.still_answers else 'NO'}")
    refused = result.answers.get("413", 0) == result.requests
    if not (refused and result.still_answers):
        raise typer.Exit(1)


@app.command("corpus")
def corpus_cmd(
    corpus: str = _corpus_option(),
    path: str = typer.Option(None, "--path", hidden=True, help="Deprecated: use --corpus."),
    as_json: bool = _flag("--json", "Print the whole corpus as JSON."),
) -> None:
    """Show the corpus: files, sections, passages, table rows, glossary and references."""
    import json

    from ..corpus.loader import load_folder
    from ..locations import resolve

    if path:
        print("warning: --path is deprecated; use --corpus", file=sys.stderr)
    folder = resolve(_settings(corpus or path, None, None)).corpus_dir
    assert folder is not None
    with _skips_listed():
        loaded = load_folder(folder)
    if as_json:
        print(json.dumps(loaded.to_dict(), indent=2, ensure_ascii=False))
        return
    print(f"corpus {folder}: {', '.join(loaded.files)}  sha256 {loaded.sha256[:12]}")
    _print_skipped(loaded.to_dict()["skipped"])
    print(f"{len(loaded.passages)} passages in {len(loaded.sections)} sections:")
    for section in loaded.sections:
        n = sum(p.section == section for p in loaded.passages)
        print(f"  {n:3d}  {section or '(no section)'}")
    for t in loaded.tables:
        print(f"{t.id}: {len(t.rows)} rows  {t.title}")
        # how each column is read: "year" takes year ranges, "number" bounds
        kinds = (c.name if c.kind == "text" else f"{c.name} ({c.kind})" for c in t.columns)
        print(f"  columns: {', '.join(kinds)}")
    if loaded.references:
        named = sum(r.author is not None for r in loaded.references.values())
        print(f"references: {len(loaded.references)} numbers cited, {named} with a first author")
    if loaded.glossary:
        print(f"glossary: {len(loaded.glossary)} abbreviations: {', '.join(loaded.glossary)}")


@app.command("build")
def build_cmd(
    corpus: str = _corpus_option(),
    index: str = _index_option(),
    model: str = _model_option(),
) -> None:
    """Build (or rebuild) the search index of a corpus folder, with a progress bar (and its
    plain-word bridge: WordNet definitions of its words, in the user cache)."""
    from ..qa import build

    settings = _settings(corpus, index, model)
    _prepare_encoder(settings)
    with _skips_listed():
        meta = build(settings, progress=True)
    counts = meta["counts"]
    print(
        f"indexed {counts['passages']} passages and {counts['rows']} table rows from "
        f"{meta['documents']} document(s) in {meta['build_seconds']} s -> {meta['index_dir']} "
        f"(model {meta['model']}, dim {meta['dimension']}, {meta['index_type']['passages']})"
    )
    _print_skipped(meta["skipped"])


def _status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare_encoder(settings: Settings) -> None:
    """Export the ONNX encoder first when this machine has none yet, printing its progress."""
    from ..retrieval.embed import prepare_encoder

    prepare_encoder(settings, status=_status)


def _qa(
    corpus: str | None, index: str | None, model: str | None, *, rebuild: bool = False
) -> Any:  # -> QA (imported lazily)
    from ..qa import QA

    settings = _settings(corpus, index, model)
    _prepare_encoder(settings)
    # Loading makes a few hundred thousand objects that live as long as the process
    # (corpus, lexicon, index): the cyclic collector would walk the young ones every 700
    # allocations while they are made. Its youngest generation is collected 150 times less
    # often while they load (each tenth of those collections still reaches the older ones,
    # so a large build's cycles are freed): a cold start's load and first answer, ~0.05 s
    # less here.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        qa = QA.load(settings, rebuild=rebuild, progress=rebuild)
    finally:
        gc.set_threshold(*thresholds)
    return qa


def _question_arg(text: str) -> str:
    """The question argument (read from stdin when it is ``-``), checked before anything loads."""
    from ..guard import check_question
    from ..settings import Settings

    raw: object = sys.stdin.buffer.read() if text == "-" else text
    return check_question(raw, Settings.from_env())


def _where(passage: Any) -> str:
    from .render import passage_label

    return passage_label(passage)  # type: ignore[no-any-return]


def _options(k: int | None, mode: str | None) -> tuple[int | None, str | None]:
    """``-k`` and ``--mode`` checked before anything loads (``None`` stays: the default)."""
    from ..guard import check_k, check_mode
    from ..settings import MODES

    return (
        None if k is None else check_k(k),
        None if mode is None else check_mode(mode, default=MODES[0]),
    )


@app.command("search")
def search_cmd(
    query: str = typer.Argument(
        ..., metavar="QUERY", help="What to search for ('-' reads it from stdin)."
    ),
    k: int = typer.Option(
        None, "-k", metavar="N", help="Number of passages, 1 to 50 (default 5, HCCQA_K)."
    ),
    mode: str = typer.Option(
        None, "--mode", metavar="MODE", help="hybrid, dense or bm25 (default hybrid, HCCQA_MODE)."
    ),
    as_json: bool = _flag("--json", "Print the hits as JSON."),
    corpus: str = _corpus_option(),
    index: str = _index_option(),
    model: str = _model_option(),
    rebuild: bool = _rebuild_option(),
) -> None:
    """Show the passages that best match a query, with the modes that found them."""
    import json

    query = _question_arg(query)
    _options(k, mode)
    qa = _qa(corpus, index, model, rebuild=rebuild)
    hits = qa.search(query, k=k, mode=mode)
    if as_json:
        print(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    for h in hits:
        text = h.passage.text if len(h.passage.text) <= 200 else h.passage.text[:197] + "..."
        print(
            f"{h.rank:>2}. {_where(h.passage)}  score {h.score:.3f} "
            f"({'+'.join(h.modes) or '-'})\n    {text}"
        )


@app.command("ask")
def ask_cmd(
    question: str = typer.Argument(
        ..., metavar="QUESTION", help="The question ('-' reads it from stdin)."
    ),
    as_json: bool = _flag("--json", "Print the whole answer as JSON."),
    k: int = typer.Option(
        None,
        "-k",
        metavar="N",
        help="Passages listed with the answer, 1 to 50, and any its quotes cite "
        "(default 5, HCCQA_K).",
    ),
    mode: str = typer.Option(
        None, "--mode", metavar="MODE", help="hybrid, dense or bm25 (default hybrid, HCCQA_MODE)."
    ),
    history: list[str] = typer.Option(  # noqa: B008
        None, "--history", metavar="TEXT", help="An earlier question of the chat; repeat."
    ),
    corpus: str = _corpus_option(),
    index: str = _index_option(),
    model: str = _model_option(),
    rebuild: bool = _rebuild_option(),
) -> None:
    """Answer a question from the documents, every sentence quoted with its citation."""
    import json

    from ..answer.compose import counted_head, row_line
    from ..types import table_label

    question = _question_arg(question)
    _options(k, mode)
    qa = _qa(corpus, index, model, rebuild=rebuild)
    ans = qa.ask(question, history or (), k=k, mode=mode)
    if as_json:
        print(json.dumps(ans.to_dict(), indent=2, ensure_ascii=False))
        return
    if ans.corrections:
        print("(spelling: " + ", ".join(f"{a} -> {b}" for a, b in ans.corrections) + ")")
    if ans.searched_query != ans.question:
        print(f"(searched: {ans.searched_query})")
    if ans.abstained:
        print(ans.answer)
        if ans.refusal_reason:
            print(f"(why: {ans.refusal_reason})")
    elif ans.text:  # (rows alone answer "when were they published?")
        print(ans.text)
    if ans.rows:
        head = counted_head(len(ans.rows)) if ans.counted else "Table rows:"
        if ans.figure:  # "the average height of the X": the figure, over these rows
            head = f"{ans.figure}:"
        print(f"\n{head}" if ans.text or ans.abstained else head)
        for r in ans.rows:
            label = table_label(r.row.table)
            print(f"  {r.row.id}: {row_line(r, label)}  <- {r.reason}")
    if ans.passages:
        print("\nPassages:")
        # every passage a quote or the nearest sentence cites, however small k is
        cited = [s.marker for s in ans.sentences] + ([ans.nearest.marker] if ans.nearest else [])
        shown = max([k or qa.settings.k, *cited])
        for i, h in enumerate(ans.passages[:shown], start=1):
            print(f"  [P{i}] {_where(h.passage)}  score {h.score:.3f}")
        if len(ans.passages) > shown:
            print(f"  ... ({len(ans.passages)} passages; --json shows all)")


@app.command("bench-pubmedqa")
def bench_pubmedqa_cmd(
    data: str = typer.Option(..., "--data", metavar="FILE", help="PubMedQA ori_pqal.json."),
    as_json: bool = _flag("--json", "Print the results as JSON."),
    report: str = typer.Option(
        None, "--report", metavar="DIR", help="Folder for report.md/json and a chart."
    ),
    limit: int = typer.Option(
        0, "--limit", metavar="N", min=0, help="Use only the first N entries (0 = all)."
    ),
    model: str = _model_option(),
) -> None:
    """PubMedQA PQA-L document retrieval: bm25, dense, hybrid and plain baselines."""
    import json

    from ..bench.pubmedqa import format_table, run_pubmedqa, write_pubmedqa_report
    from ..extras import require
    from ..settings import Settings

    if report:
        require("matplotlib", "bench", "the --report chart")
    settings = Settings.from_env(model=model)
    _prepare_encoder(settings)
    result = run_pubmedqa(data, settings=settings, limit=limit or None, progress=not as_json)
    if report:
        write_pubmedqa_report(result, report)
    print(json.dumps(result, indent=2) if as_json else format_table(result))


@app.command("serve")
def serve_cmd(
    host: str = typer.Option(
        None, "--host", metavar="HOST", help="Bind address (default 127.0.0.1, HCCQA_HOST)."
    ),
    port: int = typer.Option(
        None, "--port", metavar="PORT", help="Port (default 7860, HCCQA_PORT)."
    ),
    corpus: str = _corpus_option(),
    index: str = _index_option(),
    model: str = _model_option(),
    rebuild: bool = _rebuild_option(),
) -> None:
    """Start the web chat; the index is loaded once (built first when missing)."""
    from ..extras import require

    for module in ("gradio", "fastapi", "uvicorn"):
        require(module, "web", "the web chat (hccqa serve)")
    from .web import prepare_server_environment, serve

    prepare_server_environment()
    settings = _settings(corpus, index, model, host=host, port=port)
    serve(settings, status=_status, rebuild=rebuild)  # exports the ONNX encoder first if needed


@app.command("bench-load")
def bench_load_cmd(
    url: str = typer.Option(
        "", "--url", metavar="URL", help="Address of a running web chat; empty = launch one."
    ),
    n: int = typer.Option(50, "-n", metavar="N", min=1, help="Number of /ask requests."),
    concurrency: int = typer.Option(
        50, "-c", "--concurrency", metavar="N", min=1, help="Requests sent at once."
    ),
) -> None:
    """Load benchmark: N concurrent /ask requests through gradio_client; all must succeed."""
    import contextlib

    from ..extras import require

    require("gradio_client", "bench", "hccqa bench-load")
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
        None,
        "--questions",
        metavar="FILE",
        help="Gold JSON Lines questions (default: the packaged review's gold/questions.jsonl).",
    ),
    passes: int = typer.Option(2, metavar="N", min=1, help="Times each question is asked."),
    cold_runs: int = typer.Option(
        3, metavar="N", min=0, help="Cold-start subprocess runs (0 = skip)."
    ),
    corpus: str = _corpus_option(),
    index: str = _index_option(),
    model: str = _model_option(),
    backend: str = typer.Option(
        None,
        "--backend",
        metavar="NAME",
        help="Encoder backend: onnx-int8, onnx, torch (default: onnx-int8; HCCQA_BACKEND).",
    ),
    backends: str = typer.Option(
        "",
        "--backends",
        metavar="NAMES",
        help="Compare backends (e.g. torch,onnx,onnx-int8), each in its own process: speed + eval.",
    ),
    yardstick: bool = typer.Option(
        True,
        "--yardstick/--no-yardstick",
        help="Also time the bare torch encode (own process) as the fixed yardstick.",
    ),
    as_json: bool = _flag("--json", "Print one JSON object."),
) -> None:
    """Latency per stage (encode vs all else), ask vs torch encode, cold start, build, memory."""
    import json

    from ..bench.speed import compare_backends, format_backends, format_bench, run_bench
    from ..locations import packaged_corpus_dir

    questions = questions or str(packaged_corpus_dir() / "gold" / "questions.jsonl")
    settings = _settings(corpus, index, model, backend=backend)  # resolved by the bench
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
    sizes: str = typer.Option(
        "1000,10000,100000,1000000", metavar="LIST", help="Corpus sizes, comma-separated."
    ),
    kinds: str = typer.Option(
        "flat,hnsw,ivf-sq8,ivf-pq",
        metavar="LIST",
        help="Index kinds: flat, hnsw, ivf, ivf-sq8, ivf-pq.",
    ),
    queries: int = typer.Option(200, metavar="N", min=1, help="Single queries timed per index."),
    bm25_max: int = typer.Option(
        100_000, metavar="N", min=0, help="Largest size at which BM25 is measured."
    ),
    hnsw_max: int = typer.Option(
        200_000,
        metavar="N",
        min=0,
        help="Largest size at which HNSW is built (13 min at 10^6 on 2 cores).",
    ),
    out: str = typer.Option(
        "docs/scaling.json", metavar="FILE", help="JSON result file (rewritten as it goes)."
    ),
    chart: str = typer.Option(
        "docs/scaling.png", metavar="FILE", help="PNG chart file ('' = none)."
    ),
    as_json: bool = _flag("--json", "Print the result as JSON."),
) -> None:
    """Synthetic scaling benchmark: build time, memory, query p50, recall@10 per index kind."""
    import json
    from pathlib import Path

    from ..bench.scaling import format_table, run_scaling, write_chart
    from ..errors import InputError
    from ..extras import require

    if chart:
        require("matplotlib", "bench", "the --chart of hccqa bench-scaling")
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


def _gold_path(gold: str) -> str:
    """A gold file, or the packaged set of that name when no such file exists."""
    from pathlib import Path

    from ..locations import packaged_corpus_dir

    packaged = packaged_corpus_dir() / "gold" / f"{gold}.jsonl"
    return str(packaged) if not Path(gold).exists() and packaged.is_file() else gold


@app.command("calibrate")
def calibrate_cmd(
    gold: list[str] = typer.Option(  # noqa: B008
        ...,
        "--gold",
        metavar="FILE",
        help="Gold set with answerable and unanswerable questions; repeat. A packaged "
        "set may be named: questions, heldout, dev, dev2, boundary.",
    ),
    out: str = typer.Option(
        None, "--out", metavar="FILE", help="Write the policy here (use it: HCCQA_POLICY_FILE)."
    ),
    folds: int = typer.Option(5, "--folds", metavar="N", min=2, help="Cross-validation folds."),
    mode: str = typer.Option("hybrid", "--mode", metavar="MODE", help="Retrieval mode."),
    corpus: str = _corpus_option(),
    index: str = _index_option(),
    model: str = _model_option(),
) -> None:
    """Fit the refusal judge on gold sets, with cross-validation, and print the policy."""
    import json
    from pathlib import Path

    from ..errors import InputError
    from ..evaluation.calibrate import calibrate, collect, load_sets

    qa = _qa(corpus, index, model)
    questions = load_sets([_gold_path(g) for g in gold])
    try:
        result = calibrate(collect(qa, questions, mode=mode), folds=folds)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    print(result.summary())
    text = json.dumps(result.policy.to_dict(), indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        print(f"policy written to {out}; use it with HCCQA_POLICY_FILE={out}")
    else:
        print(text)


@app.command("eval")
def eval_cmd(
    gold: str = typer.Option(
        ...,
        "--gold",
        metavar="FILE",
        help="Gold set, JSON Lines (docs/GOLD_FORMAT.md), or the name of a set packaged "
        "with the review: questions, heldout.",
    ),
    mode: list[str] = typer.Option(  # noqa: B008
        None, "--mode", metavar="MODE", help="Retrieval mode; repeat. Default: all."
    ),
    as_json: bool = _flag("--json", "Print the docs/GOLD_FORMAT.md JSON object."),
    report: str = typer.Option(
        None, "--report", metavar="DIR", help="Folder for report.md/json and charts."
    ),
    k: int = typer.Option(
        10, "-k", metavar="N", min=10, help="Passages asked per question (>= 10)."
    ),
    corpus: str = _corpus_option(),
    index: str = _index_option(),
    model: str = _model_option(),
    rebuild: bool = _rebuild_option(),
) -> None:
    """Score the engine on a gold question set, per retrieval mode."""
    import json

    from ..evaluation.evaluate import evaluate, format_table, load_gold
    from ..evaluation.report import write_report
    from ..extras import require
    from ..settings import MODES

    if report:
        require("matplotlib", "bench", "the --report charts of hccqa eval")
    gold = _gold_path(gold)
    questions = load_gold(gold)
    qa = _qa(corpus, index, model, rebuild=rebuild)
    result = evaluate(
        qa,
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
    # pypdf logs every oddity of a damaged file; the loader's one warning per file says it.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
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
