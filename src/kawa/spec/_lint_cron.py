"""Lint rules for a CronWorkflow's schedule, after Argo's ``validate.CronWorkflow``.

Schedules are read the way ``robfig/cron``'s ``ParseStandard`` reads them: five fields
(minute, hour, day of month, month, day of week) with ``*``, ``?``, lists, ranges, steps and
month/day names, or a descriptor (``@hourly``, ``@every 1h30m``, ...), optionally prefixed
by ``TZ=Zone`` or ``CRON_TZ=Zone``.
"""

from __future__ import annotations

import re

from kawa.spec._lint_context import Context, as_dict, as_list

_DESCRIPTORS = frozenset(
    ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
)
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    (
        "month",
        1,
        12,
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ),
    ("day of week", 0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_DURATION = re.compile(r"([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+\Z")
_POLICIES = ("Allow", "Forbid", "Replace", "")


def check(ctx: Context) -> None:
    """Schedules, time zone, concurrency policy and starting deadline."""
    spec = as_dict(ctx.document.raw.get("spec"))
    schedules = as_list(spec.get("schedules"))
    if not schedules:
        ctx.error(("spec", "schedules"), "cron workflow must have at least one schedule")
    for index, schedule in enumerate(schedules):
        if isinstance(schedule, str):
            reason = schedule_error(schedule)
            if reason:
                message = f"cron schedule {schedule} is malformed: {reason}"
                ctx.error(("spec", "schedules", index), message)
    zone = spec.get("timezone")
    if isinstance(zone, str) and zone and not _known_zone(zone):
        ctx.error(("spec", "timezone"), f"invalid timezone {zone!r}: unknown time zone")
    policy = spec.get("concurrencyPolicy")
    if isinstance(policy, str) and policy not in _POLICIES:
        message = f"'{policy}' is not a valid concurrencyPolicy (Allow, Forbid or Replace)"
        ctx.error(("spec", "concurrencyPolicy"), message)
    deadline = spec.get("startingDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline < 0:
        ctx.error(("spec", "startingDeadlineSeconds"), "startingDeadlineSeconds must be positive")


def schedule_error(schedule: str) -> str | None:
    """Why ``robfig/cron`` would reject ``schedule``, or None."""
    text = schedule.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        zone, _, text = text.partition(" ")
        if not _known_zone(zone.split("=", 1)[1]):
            return f"provided bad location {zone.split('=', 1)[1]}"
        text = text.strip()
    if text.startswith("@"):
        if text in _DESCRIPTORS:
            return None
        if text.startswith("@every "):
            every = text[len("@every ") :].strip()
            return None if _DURATION.match(every) else f"failed to parse duration {text}"
        return f"unrecognized descriptor: {text}"
    fields = text.split()
    if len(fields) != len(_FIELDS):
        return f"expected exactly {len(_FIELDS)} fields, found {len(fields)}: [{text}]"
    for value, (what, low, high, names) in zip(fields, _FIELDS, strict=True):
        reason = _field_error(value, low, high, names)
        if reason:
            return f"{what} field {value!r}: {reason}"
    return None


def _field_error(field: str, low: int, high: int, names: tuple[str, ...] | list[str]) -> str | None:
    for part in field.split(","):
        span, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return f"bad step {step!r}"
        if span in ("*", "?"):
            continue
        bounds = span.split("-")
        if len(bounds) > 2:
            return f"too many hyphens in {span!r}"
        for bound in bounds:
            number = _number(bound, names)
            if number is None:
                return f"failed to parse {bound!r}"
            if not low <= number <= high:
                return f"{number} is out of range ({low}-{high})"
    return None


def _number(text: str, names: tuple[str, ...] | list[str]) -> int | None:
    if text.isdigit():
        return int(text)
    lowered = text.lower()
    if lowered in names:
        return list(names).index(lowered) + (1 if len(names) == 12 else 0)
    return None


def _known_zone(name: str) -> bool:
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(name)
    except (ValueError, OSError, KeyError, ImportError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True
