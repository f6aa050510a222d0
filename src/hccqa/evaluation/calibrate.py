"""Calibrating the refusal judge on gold sets (``hccqa calibrate``).

Every question of the gold sets goes through the pipeline up to the judge; its
signals (:func:`hccqa.answer.judge.measure`) and its label (answerable or not) make
one example. A logistic model is fitted with the two classes weighed equally, so that
its threshold 0.5 balances the two error rates (answerable questions refused,
unanswerable ones answered) whatever the mix of the gold sets. k-fold cross-validation,
drawn several times, gives the rates the model would have on questions it has not seen;
the L2 penalty with the lowest cross-validated error is refitted on all examples, and
no single penalizing signal may refuse on its own (:func:`no_single_veto`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..answer.judge import SIGNALS, Policy, fit, probability
from .gold import GoldQuestion, load_gold

PENALTIES = (0.01, 0.1, 1.0, 10.0)
REPEATS = 5  # the cross-validation is drawn this many times
MATCH_SIGNALS = ("cosine", "coverage")  # how strongly the question's words match
THRESHOLD = 0.5  # the classes are weighed equally: 0.5 balances the two error rates
TIE = 0.01  # penalties whose errors differ by less are equally good


@dataclass(frozen=True)
class Example:
    """One calibration example: a question's signals and whether it is answerable."""

    id: str
    signals: dict[str, float]
    answerable: bool


@dataclass(frozen=True)
class Calibration:
    """The fitted policy and its cross-validated error rates."""

    policy: Policy
    examples: int
    unanswerable: int
    refused_answerable: float  # out of fold
    answered_unanswerable: float  # out of fold
    folds: int
    penalty: float

    def summary(self) -> str:
        return (
            f"{self.examples} questions ({self.unanswerable} unanswerable), {self.folds}-fold "
            f"cross-validation, L2 {self.penalty}: answerable refused "
            f"{self.refused_answerable:.3f}, unanswerable answered "
            f"{self.answered_unanswerable:.3f}, threshold {self.policy.threshold:.3f}"
        )


def collect(qa: Any, questions: Sequence[GoldQuestion], *, mode: str = "hybrid") -> list[Example]:
    """The judge's signals for each gold question, measured by the answering path itself
    (:func:`hccqa.ask.weigh_query`: the same passages, favoured rows and selected rows),
    on the question's first reading."""
    from ..ask import weigh_query
    from ..understand.query import understand

    engine = qa.engine
    out = []
    for q in questions:
        query = understand(
            q.question,
            q.history,
            engine.lexicon,
            recall=lambda question, history: qa._shown(question, history, mode),
        )
        _, verdict = weigh_query(query, engine, mode=mode)
        out.append(Example(q.id, dict(verdict.signals), q.answerable))
    return out


def cross_validate(
    examples: Sequence[Example],
    *,
    folds: int = 5,
    penalty: float = 1.0,
    repeats: int = REPEATS,
    seed: int = 0,
    veto_threshold: float | None = None,
) -> tuple[list[float], float, float, float]:
    """Out-of-fold probabilities, and the threshold and error rates they give.

    The folds are drawn ``repeats`` times (seeds ``seed``, ``seed + 1``, ...); the
    threshold and the rates come from all out-of-fold probabilities together, so that
    they do not hang on one way of cutting the data. The probabilities returned are
    each example's mean over the repeats. With ``veto_threshold``, each fold's policy
    is capped by :func:`no_single_veto` at that threshold, as the final one is.
    """
    pooled: list[float] = []
    labels: list[bool] = []
    mean = [0.0] * len(examples)
    for r in range(repeats):
        order = list(range(len(examples)))
        random.Random(seed + r).shuffle(order)
        probs = [0.0] * len(examples)
        for k in range(folds):
            test = set(order[k::folds])
            train = [examples[i] for i in order if i not in test]
            policy = fit([e.signals for e in train], [int(e.answerable) for e in train], l2=penalty)
            if veto_threshold is not None:
                capped = no_single_veto(policy, train, veto_threshold)
                policy = Policy(capped, policy.bias, policy.threshold, policy.means)
            for i in test:
                probs[i] = probability(policy, examples[i].signals)
        pooled += probs
        labels += [e.answerable for e in examples]
        mean = [m + p / repeats for m, p in zip(mean, probs, strict=True)]
    threshold = THRESHOLD
    refused = sum(p < threshold for p, y in zip(pooled, labels, strict=True) if y) / max(
        sum(labels), 1
    )
    answered = sum(p >= threshold for p, y in zip(pooled, labels, strict=True) if not y) / max(
        len(labels) - sum(labels), 1
    )
    return mean, threshold, refused, answered


def calibrate(
    examples: Sequence[Example],
    *,
    folds: int = 5,
    penalties: Sequence[float] = PENALTIES,
    note: str = "",
) -> Calibration:
    """Fit the refusal policy on the examples, choosing the penalty by cross-validation.

    Raises:
        ValueError: fewer than ``folds`` examples, or only one label.
    """
    labels = {e.answerable for e in examples}
    if len(examples) < folds or len(labels) < 2:
        raise ValueError(
            f"calibration needs at least {folds} questions, answerable and unanswerable ones; "
            f"got {len(examples)}"
        )
    best: tuple[float, float, float, float, float] | None = None
    for penalty in penalties:
        _, threshold, refused, answered = cross_validate(examples, folds=folds, penalty=penalty)
        err = refused + answered
        # a stronger penalty wins ties within TIE: the steadier model
        if best is None or err < best[0] - TIE or (err <= best[0] + TIE and penalty > best[1]):
            best = (err, penalty, threshold, refused, answered)
    assert best is not None
    _, penalty, threshold, refused, answered = best
    # the rates of the capped policy (see no_single_veto), and its threshold
    _, threshold, refused, answered = cross_validate(
        examples, folds=folds, penalty=penalty, veto_threshold=threshold
    )
    policy = fit([e.signals for e in examples], [int(e.answerable) for e in examples], l2=penalty)
    policy = Policy(
        weights=no_single_veto(policy, examples, threshold),
        bias=policy.bias,
        threshold=round(threshold, 4),
        means=policy.means,
        note=note
        or (
            f"{len(examples)} gold questions, {folds}-fold CV: answerable refused "
            f"{refused:.3f}, unanswerable answered {answered:.3f}"
        ),
    )
    return Calibration(
        policy,
        len(examples),
        sum(not e.answerable for e in examples),
        refused,
        answered,
        folds,
        penalty,
    )


def no_single_veto(
    policy: Policy, examples: Sequence[Example], threshold: float, *, margin: float = 0.25
) -> dict[str, float]:
    """The policy's weights, each penalizing one capped so that it cannot refuse on its own.

    When the question's words match strongly (the match signals, ``cosine`` and
    ``coverage``, at their 90th percentile on the answerable examples) and every other
    signal is at zero, one penalizing signal at its worst still leaves the probability
    above the threshold (by ``margin`` in log-odds): a word the corpus never uses does
    not refuse a question whose other words match strongly.
    """
    weights = dict(policy.weights)
    answerable = [e.signals for e in examples if e.answerable] or [e.signals for e in examples]
    strong = 0.0
    for name in MATCH_SIGNALS:
        w = weights.get(name, 0.0)
        if w > 0:
            values = sorted(s.get(name, 0.0) for s in answerable)
            strong += w * values[int(0.9 * (len(values) - 1))]
    limit = policy.bias + strong - math.log(threshold / (1 - threshold)) - margin
    for name, w in weights.items():
        worst = max((e.signals.get(name, 0.0) for e in examples), default=0.0)
        if w < 0 and worst > 0 and -w * worst > limit > 0:
            weights[name] = round(-limit / worst, 4)
    return weights


def load_sets(paths: Sequence[str | Path]) -> list[GoldQuestion]:
    """The questions of several gold files, ids made unique by their file's stem."""
    from dataclasses import replace

    out = []
    for path in paths:
        stem = Path(path).stem
        out += [replace(q, id=f"{stem}:{q.id}") for q in load_gold(path)]
    return out


__all__ = ["SIGNALS", "Calibration", "Example", "calibrate", "collect", "cross_validate"]
