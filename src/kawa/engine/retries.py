"""retryStrategy: whether a failed attempt is tried again, and when.

Argo's rules: ``retryPolicy`` OnFailure (the default) retries Failed attempts, OnError
retries Error attempts, Always retries both; ``limit`` counts retries (attempts =
limit + 1; no limit retries for ever); ``expression`` (expr-lang over ``lastRetry.*``) must
also hold; ``backoff`` waits ``duration * factor^(n-1)`` before retry n, and
``maxDuration`` stops retrying once that long has passed since the first attempt began.
The template's own strategy wins over ``spec.retryStrategy``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from kawa.engine.run import Run
from kawa.engine.scope import Scope, evaluate, render
from kawa.spec.frozen import frozen
from kawa.spec.status import NodePhase, NodeStatus

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@frozen
class Strategy:
    raw: Mapping[str, Any]

    @property
    def policy(self) -> str:
        default = "Always" if self.raw.get("expression") else "OnFailure"
        return str(self.raw.get("retryPolicy") or default)


@frozen
class Verdict:
    """Retry (no earlier than ``at``) or give up with ``message``."""

    retry: bool
    at: datetime | None = None
    message: str = ""


def strategy_for(run: Run, template: Mapping[str, Any]) -> Strategy | None:
    raw = template.get("retryStrategy") or run.spec.get("retryStrategy")
    return Strategy(raw) if raw else None


def parse_duration(value: Any) -> float:
    """Go duration (``1m30s``) or plain number of seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    total, pos = 0.0, 0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(f"invalid duration {text!r}")
    return total


def limit_of(strategy: Strategy, scope: Scope) -> int | None:
    limit = strategy.raw.get("limit")
    if limit is None:
        return None
    return int(render(str(limit), scope))


def policy_allows(policy: str, phase: NodePhase) -> bool:
    if policy == "Always":
        return phase.failed_or_error
    if policy == "OnError" or policy == "OnTransientError":
        return phase is NodePhase.ERROR
    return phase is NodePhase.FAILED


def decide(strategy: Strategy, attempts: list[NodeStatus], now: datetime, scope: Scope) -> Verdict:
    """Decide after the last of ``attempts`` failed."""
    last = attempts[-1]
    limit = limit_of(strategy, scope)
    backoff = strategy.raw.get("backoff") or {}
    at: datetime | None = None
    if limit is not None:
        first_start = attempts[0].started_at or now
        if backoff.get("maxDuration") is not None:
            max_duration = parse_duration(render(str(backoff["maxDuration"]), scope))
            if (now - first_start).total_seconds() >= max_duration:
                return Verdict(False, message="Max duration limit exceeded")
        delay = _delay(backoff, len(attempts), scope)
        at = (last.finished_at or now) + timedelta(seconds=delay)
    if not policy_allows(strategy.policy, last.phase):
        return Verdict(False, message=last.message)
    if limit is not None and len(attempts) > limit:
        return Verdict(False, message="No more retries left")
    expression = strategy.raw.get("expression")
    if expression and not _expression_holds(str(expression), attempts, scope):
        return Verdict(False, message="retryStrategy.expression evaluated to false")
    return Verdict(True, at=at)


def _delay(backoff: Mapping[str, Any], attempts: int, scope: Scope) -> float:
    if backoff.get("duration") is None:
        return 0.0
    duration = parse_duration(render(str(backoff["duration"]), scope))
    factor_raw = backoff.get("factor")
    factor = float(render(str(factor_raw), scope)) if factor_raw is not None else 1.0
    if factor <= 0:
        factor = 1.0
    delay = duration * (factor ** (attempts - 1))
    cap = backoff.get("cap")
    if cap is not None:
        delay = min(delay, parse_duration(render(str(cap), scope)))
    return delay


def _expression_holds(expression: str, attempts: list[NodeStatus], scope: Scope) -> bool:
    last = attempts[-1]
    exit_code = last.outputs.exit_code if last.outputs and last.outputs.exit_code else "-1"
    duration = 0.0
    if last.started_at and last.finished_at:
        duration = (last.finished_at - last.started_at).total_seconds()
    values = {
        "lastRetry.exitCode": exit_code,
        "lastRetry.status": str(last.phase),
        "lastRetry.duration": str(duration),
        "lastRetry.message": last.message,
        "retries": str(len(attempts) - 1),
    }
    return bool(evaluate(expression, scope.with_values(values)))
