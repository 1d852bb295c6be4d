"""The `digest` job (Monday 09:00): one portfolio summary per ISO week to CONTRACTBOT_ALERT_CHANNEL.

Exactly once per ISO week, across restarts, hand runs and replicas: the message is claimed in the alert
ledger under `digest:<ISO year>-W<week>` before it is posted (storage.alerts), so whichever run comes
first in a week posts it and every later run finds it claimed. The trajectory chart is uploaded after
the text; a failed upload is logged and never costs the text.

Sections are built by the functions in `SECTIONS`, in order: each takes the `DigestInput` and returns a
`Part` (or None to leave itself out). To add a section (obligations, price revisions…), write one such
function and insert it in the list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.dates import month_period, parse_period
from bot.i18n import t
from bot.render import digest as render
from bot.render.chart import trajectory_png
from bot.settings import Settings
from jobs.posting import Outcome, post_claimed, worker_name
from jobs.recovery import PendingMarks
from storage import alert_state, alerts, attention, indicators, indices, revisions

logger = logging.getLogger(__name__)
KIND = "digest"
WEEK = timedelta(days=7)


def iso_week(now: datetime, settings: Settings) -> tuple[str, date]:
    """(`2027-W03`, that week's Monday) in the organisation's time zone."""
    today = now.astimezone(settings.tz).date()
    year, week, weekday = today.isocalendar()
    return f"{year}-W{week:02d}", today - timedelta(days=weekday - 1)


def digest_key(week: str) -> str:
    return f"{KIND}:{week}"


@dataclass(slots=True)
class DigestInput:
    session: Session
    settings: Settings
    now: datetime
    today: date
    lang: str
    figures: indicators.Indicators | None = None


Section = Callable[[DigestInput], "render.Part | None"]


def decisions_section(d: DigestInput) -> render.Part:
    rows, total = attention.decisions_due(d.session, today=d.today, days=30)
    return render.decisions(d.lang, rows, total, today=d.today)


def tacit_section(d: DigestInput) -> render.Part:
    rows, total = attention.tacit_renewals(d.session, start=d.now - WEEK, end=d.now)
    return render.tacit_renewals(d.lang, rows, total)


def sla_section(d: DigestInput) -> render.Part:
    rows, total = attention.breaches(d.session, start=d.now - WEEK, end=d.now, now=d.now)
    month = month_period(d.today.year, d.today.month, d.settings.tz)
    credits = indicators.credits_due(d.session, period=month, now=d.now, tz=d.settings.tz)
    return render.sla(d.lang, rows, total, credits)


def disputes_section(d: DigestInput) -> render.Part:
    rows, total = attention.open_disputes(d.session)
    stake = indicators.at_stake(d.session)
    return render.disputes(d.lang, rows, total, stake=stake, now=d.now)


def obligations_section(d: DigestInput) -> render.Part:
    rows, total = attention.obligations_due(d.session, today=d.today, days=30)
    return render.obligations(d.lang, rows, total, today=d.today)


def revisions_section(d: DigestInput) -> render.Part:
    clauses, total = attention.revisions_due(d.session, today=d.today, days=30)
    points = indices.get_points(d.session, names={c.index_name for c in clauses})
    computations = [revisions.compute_with(c.contract, c, points.get(c.index_name, {}), at=c.next_revision_on)
                    for c in clauses]
    return render.revisions(d.lang, computations, total, today=d.today)


def indicators_section(d: DigestInput) -> render.Part:
    period = parse_period("last 12 months", tz=d.settings.tz, now=d.now)
    d.figures = indicators.portfolio(d.session, period=period, now=d.now, tz=d.settings.tz)
    return render.indicators(d.lang, d.figures)


# The digest's sections, in order.
SECTIONS: list[Section] = [decisions_section, tacit_section, sla_section, disputes_section, obligations_section,
                           revisions_section, indicators_section]


def build(factory: sessionmaker[Session], *, settings: Settings, now: datetime) -> tuple[render.Message, DigestInput]:
    """Every section reads in its own transaction: one that fails is logged and left out, the rest goes out."""
    week, _monday = iso_week(now, settings)
    d = DigestInput(None, settings, now, now.astimezone(settings.tz).date(), settings.language)  # type: ignore[arg-type]
    parts = []
    for builder in SECTIONS:
        try:
            with factory.begin() as session:
                d.session = session
                part = builder(d)
        except Exception:  # one broken section never stops the digest
            logger.exception("digest section %s failed", builder.__name__)
            continue
        if part is not None:
            parts.append(part)
    return render.assemble(t(settings.language, "dg_title", week=week), parts), d


@dataclass(slots=True)
class DigestReport:
    week: str = ""
    channel: str | None = None
    preview: str = ""
    already: bool = False
    outcome: Outcome | None = None
    chart: bool = False
    notes: list[str] = field(default_factory=list)


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None,
          pending: PendingMarks | None = None) -> DigestReport:
    week, monday = iso_week(now, settings)
    report = DigestReport(week=week, channel=settings.alert_channel)
    if dry_run:
        message, _ = build(factory, settings=settings, now=now)
        report.preview = message.text
        return report
    assert client is not None, "only a dry run goes without a Slack client"
    if not settings.alert_channel:
        logger.warning("digest %s not posted: CONTRACTBOT_ALERT_CHANNEL is not set", week)
        report.notes.append("no alert channel (CONTRACTBOT_ALERT_CHANNEL)")
        return report
    with factory.begin() as session:
        alert = alerts.claim(session, key=digest_key(week), kind=KIND, contract_id=None, due_on=monday,
                             detail=alert_state.record(week=week), worker=worker_name(), now=now)
    if alert is None:
        report.already = True
        return report
    message, d = build(factory, settings=settings, now=now)
    figures = d.figures
    report.outcome = post_claimed(factory, client, alert=alert, channel=settings.alert_channel, message=message,
                                  now=now, metrics=metrics, pending=pending)
    if report.outcome.posted and figures is not None and client is not None:
        report.chart = upload_chart(client, settings=settings, figures=figures, week=week)
    return report


def upload_chart(client: WebClient, *, settings: Settings, figures: indicators.Indicators, week: str) -> bool:
    png = trajectory_png(settings.language, figures.trajectory)
    if png is None:
        return False
    try:
        client.files_upload_v2(channel=settings.alert_channel, filename=f"trajectory-{week}.png", content=png,
                               title=t(settings.language, "rep_chart_file"))
        return True
    except (SlackApiError, OSError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        logger.warning("digest %s: chart not uploaded (%s); the text was posted", week, error)
        return False


def describe(report: DigestReport) -> list[str]:
    if report.preview:
        return [f"digest {report.week} → {report.channel or 'no channel'} (dry run, nothing recorded)",
                report.preview]
    if report.notes:
        return [f"digest {report.week}: {note}" for note in report.notes]
    if report.already:
        return [f"digest {report.week}: already posted this week"]
    outcome = report.outcome
    if outcome is None:
        return []
    status = "posted" if outcome.posted else "FAILED " + (outcome.error or "")
    return [f"{outcome.key}: {status} → {outcome.channel}" + (" (with chart)" if report.chart else "")]
