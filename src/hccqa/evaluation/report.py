"""Evaluation reports: ``report.md``, ``report.json`` and PNG charts in one folder.

The charts show the main metrics by retrieval mode and by question category;
the Markdown lists every failed question with what was expected and what came
back. Files are written to a temporary name and moved into place.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import HccqaError
from .evaluate import EvalResult, QuestionResult, format_table, summarize

log = logging.getLogger(__name__)

CHART_KEYS = ("recall@5", "mrr@10", "row_f1", "answer_hit", "abstained_unanswerable")


def by_category(result: EvalResult) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """Per category, per mode: the same summary as the mode columns, on that category only."""
    gold = result.gold_questions
    out: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for cat in sorted({q.category for q in result.questions}):
        out[cat] = {}
        for mode in result.modes:
            subset = [q for q in result.questions if q.category == cat and q.mode == mode]
            out[cat][mode] = summarize(subset, gold)
    return out


def failures(result: EvalResult) -> list[QuestionResult]:
    """Questions that failed in any scored way, in gold order then mode order."""
    return [q for q in result.questions if q.failed]


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _bars(ax: Any, groups: Sequence[str], series: dict[str, list[float]], title: str) -> None:
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        xs = [x + i * width for x in range(len(groups))]
        ax.bar(xs, values, width=width, label=name)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(groups))])
    ax.set_xticklabels(groups, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=7)


def _num(value: float | int | None) -> float:
    """A bar height; NaN (no bar drawn) when the metric was not computed."""
    return math.nan if value is None else float(value)


def _hit_or_abstention(summary: dict[str, Any]) -> float | None:
    """Answer hit on a category with answerable questions, else the abstention rate."""
    if summary["n_answerable"]:
        return summary["answer_hit"]  # type: ignore[no-any-return]
    return summary["abstained_unanswerable"]  # type: ignore[no-any-return]


def _save_charts(result: EvalResult, cats: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(result.modes)
    paths = []
    fig, ax = plt.subplots(figsize=(8, 4))
    series = {m: [_num(result.modes[m][k]) for k in CHART_KEYS] for m in modes}
    _bars(ax, list(CHART_KEYS), series, f"Metrics by mode ({result.n_questions} questions)")
    fig.tight_layout()
    paths.append(out / "metrics_by_mode.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)

    names = list(cats)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    recall = {m: [_num(cats[c][m]["recall@5"]) for c in names] for m in modes}
    hit = {m: [_num(_hit_or_abstention(cats[c][m])) for c in names] for m in modes}
    _bars(axes[0], names, recall, "Recall@5 by category (no bar: not scored)")
    _bars(axes[1], names, hit, "Answer hit (unanswerable: abstention) by category")
    fig.tight_layout()
    paths.append(out / "metrics_by_category.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)
    return paths


def _cell(v: float | int | None) -> str:
    if v is None:
        return "-"
    return str(v) if isinstance(v, int) else f"{v:.3f}"


def _markdown(result: EvalResult, cats: dict[str, Any], failed: list[QuestionResult]) -> str:
    modes = list(result.modes)
    by_id = {g.id: g for g in result.gold_questions}
    lines = [
        "# hccqa evaluation report",
        "",
        f"Gold set: `{result.gold}` ({result.n_questions} questions); modes: {', '.join(modes)}.",
        "",
        "## Metrics by mode",
        "",
        "```",
        format_table(result),
        "```",
        "",
        "![metrics by mode](metrics_by_mode.png)",
        "",
        "## By category",
        "",
        "| category | mode | n | recall@5 | mrr@10 | row_f1 | answer_hit "
        "| abstained_unanswerable |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cat, per_mode in cats.items():
        for m in modes:
            s = per_mode[m]
            n = s["n_answerable"] + s["n_unanswerable"]  # type: ignore[operator]
            lines.append(
                f"| {cat} | {m} | {n} | {_cell(s['recall@5'])} | {_cell(s['mrr@10'])} | "
                f"{_cell(s['row_f1'])} | {_cell(s['answer_hit'])} | "
                f"{_cell(s['abstained_unanswerable'])} |"
            )
    lines += ["", "![metrics by category](metrics_by_category.png)", ""]
    lines += [f"## Failed questions ({len(failed)} of {len(result.questions)} question x mode)", ""]
    for q in failed:
        g = by_id.get(q.id)
        lines.append(f"### {q.id} [{q.mode}] ({q.category})")
        if g is not None:
            hist = f" (after: {' / '.join(g.history)})" if g.history else ""
            lines.append(f"- question: {g.question}{hist}")
            if g.evidence is not None:
                found = ", ".join(
                    f'{"found" if ok else "NOT found"}: "{s}"'
                    for s, ok in zip(g.evidence, q.evidence_found, strict=False)
                )
                lines.append(
                    f"- evidence in top 10 (first relevant rank {q.first_relevant_rank}): {found}"
                )
        if q.expected_rows is not None:
            lines.append(f"- rows expected {list(q.expected_rows)}, returned {list(q.rows)}")
        if q.missing_terms:
            lines.append(f"- missing answer terms: {list(q.missing_terms)}")
        want = "abstain" if not q.answerable else "answer"
        lines.append(f"- expected to {want}; abstained: {q.abstained}")
        if q.error:
            lines.append(f"- engine refused: {q.error}")
        answer = q.answer.replace("\n", " ")
        lines.append(f"- answer: {answer[:300]}{'…' if len(answer) > 300 else ''}")
        lines.append("")
    return "\n".join(lines)


def write_report(result: EvalResult, out_dir: str | Path) -> list[Path]:
    """Write ``report.md``, ``report.json`` and the chart PNGs into ``out_dir``.

    ``report.json`` holds the ``hccqa eval --json`` object plus ``by_category`` and
    ``failures`` (each failed question with expected and returned values).

    Returns:
        The paths written.

    Raises:
        HccqaError: the folder cannot be created or written.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        cats = by_category(result)
        failed = failures(result)
        data = {**result.to_dict(), "by_category": cats, "failures": [q.detail() for q in failed]}
        _atomic_write(out / "report.json", json.dumps(data, indent=2, ensure_ascii=False).encode())
        _atomic_write(out / "report.md", _markdown(result, cats, failed).encode())
        charts = _save_charts(result, cats, out)
    except OSError as exc:
        raise HccqaError(
            f"cannot write the report into {out}: {exc}; pick a writable folder"
        ) from exc
    log.info("report written to %s", out)
    return [out / "report.md", out / "report.json", *charts]
