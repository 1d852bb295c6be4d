"""A realistic demo portfolio: 36 contracts, SLA terms and a few incidents, across the usual IT vendors and every contract type,
dated relative to today so that some deadlines are always near (and one is overdue)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.contract_values import ContractValues as ContractFields
from bot.dates import month_period
from bot.durations import add_months, parse_duration
from bot.errors import DomainError
from bot.revision_input import ClauseInput
from bot.settings import Settings
from storage import contracts, disputes, incidents, indices, obligations, revisions, sla_terms
from storage.models import (
    Alert,
    Amendment,
    AuditEvent,
    Contract,
    Dispute,
    DisputeIncident,
    Incident,
    IndexValue,
    Obligation,
    ObligationFulfilment,
    PriceRevision,
    RevisionClause,
    SlackEvent,
    SlaPolicy,
    SlaTerm,
    Vendor,
)

OWNERS = ["U0DEMOANNE", "U0DEMOBRUNO", "U0DEMOCHLOE"]
# reference, title, vendor, type, end offset in days from today, notice, renewal, term, value (EUR), status
PORTFOLIO = [
    ("CTR-ORA-001", "Oracle Database Enterprise support", "Oracle", "support", 120, "90d", "auto", "1y", 182_000, "active"),
    ("CTR-ORA-002", "Oracle E-Business Suite licences", "Oracle", "license", 400, "3mo", "auto", "1y", 96_500, "active"),
    ("CTR-MS-001", "Microsoft 365 E3 Enterprise Agreement", "Microsoft", "saas", 38, "30d", "manual", "3y", 410_000, "active"),
    ("CTR-MS-002", "Azure consumption commitment", "Microsoft", "cloud", 210, "60d", "auto", "1y", 250_000, "active"),
    ("CTR-MS-003", "Premier / Unified support", "Microsoft", "support", 120, "3mo", "auto", "1y", 88_000, "active"),
    ("CTR-SAP-001", "SAP S/4HANA maintenance", "SAP", "maintenance", 95, "3mo", "auto", "1y", 320_000, "active"),
    ("CTR-SAP-002", "SAP SuccessFactors subscription", "SAP", "saas", 540, "3mo", "auto", "1y", 140_000, "active"),
    ("CTR-CAP-001", "TMA finance applications", "Capgemini", "tma", 250, "6mo", "auto", "1y", 780_000, "active"),
    ("CTR-CAP-002", "ERP migration consulting", "Capgemini", "consulting", 20, "0d", "none", "12mo", 240_000, "active"),
    ("CTR-OBS-001", "WAN and MPLS network", "Orange Business", "telecom", 130, "3mo", "auto", "1y", 365_000, "active"),
    ("CTR-OBS-002", "Mobile fleet (2,400 lines)", "Orange Business", "telecom", 50, "1mo", "auto", "1y", 192_000, "active"),
    ("CTR-OVH-001", "Private cloud hosting", "OVHcloud", "cloud", 45, "1mo", "auto", "1mo", 54_000, "active"),
    ("CTR-OVH-002", "Backup storage (object)", "OVHcloud", "cloud", 300, "30d", "auto", "1y", 12_600, "active"),
    ("CTR-ATO-001", "Data centre managed services (infogérance)", "Atos", "managed_services", 260, "6mo", "auto", "3y", 1_450_000, "active"),
    ("CTR-SOP-001", "TMA HR applications", "Sopra Steria", "tma", 160, "3mo", "manual", "1y", 520_000, "active"),
    ("CTR-SOP-002", "Service desk outsourcing", "Sopra Steria", "managed_services", 8, "3mo", "auto", "2y", 690_000, "negotiating"),
    ("CTR-IBM-001", "IBM mainframe software (MLC)", "IBM", "license", 220, "90d", "auto", "1y", 610_000, "active"),
    ("CTR-IBM-002", "Power servers hardware maintenance", "IBM", "maintenance", 75, "60d", "auto", "1y", 74_000, "active"),
    ("CTR-DEL-001", "Laptop fleet purchase framework", "Dell Technologies", "hardware", 380, "0d", "none", "12mo", 900_000, "active"),
    ("CTR-DEL-002", "Storage arrays ProSupport", "Dell Technologies", "maintenance", 41, "30d", "auto", "1y", 61_000, "active"),
    ("CTR-SNO-001", "ServiceNow ITSM Pro subscription", "ServiceNow", "saas", 150, "60d", "auto", "1y", 212_000, "active"),
    ("CTR-SF-001", "Salesforce Sales Cloud", "Salesforce", "saas", 88, "60d", "auto", "1y", 158_000, "active"),
    ("CTR-AWS-001", "AWS Enterprise Discount Program", "Amazon Web Services", "cloud", 290, "0d", "manual", "1y", 500_000, "active"),
    ("CTR-GGL-001", "Google Workspace (legal team)", "Google", "saas", 14, "30d", "auto", "1y", 9_800, "active"),
    ("CTR-ADB-001", "Adobe Creative Cloud", "Adobe", "license", 58, "30d", "auto", "1y", 23_500, "active"),
    ("CTR-CIS-001", "Cisco SmartNet support", "Cisco", "support", 105, "60d", "auto", "1y", 118_000, "active"),
    ("CTR-VMW-001", "VMware Cloud Foundation subscription", "Broadcom (VMware)", "license", 130, "90d", "auto", "1y", 286_000, "active"),
    ("CTR-SFR-001", "SFR fibre links (branches)", "SFR Business", "telecom", 190, "3mo", "auto", "1y", 84_000, "active"),
    ("CTR-ACC-001", "Cloud migration programme", "Accenture", "consulting", 240, "0d", "none", "12mo", 1_200_000, "active"),
    ("CTR-SPL-001", "Splunk Enterprise Security", "Splunk", "license", 66, "60d", "auto", "1y", 132_000, "active"),
    ("CTR-ATL-001", "Atlassian Cloud Premium", "Atlassian", "saas", 400, "30d", "auto", "1y", 47_000, "active"),
    ("CTR-KYN-001", "Kyndryl network operations", "Kyndryl", "managed_services", 520, "6mo", "auto", "2y", 830_000, "active"),
    ("CTR-CEG-001", "Document management TMA", "CGI", "tma", -20, "3mo", "manual", "1y", 210_000, "expired"),
    ("CTR-BT-001", "International MPLS (legacy)", "BT Global", "telecom", -5, "3mo", "auto", "1y", 150_000, "terminated"),
    ("CTR-DOC-001", "Contract management tool (tender)", "DocuSign", "other", 365, "30d", "manual", "1y", 35_000, "draft"),
    ("CTR-ORA-003", "Oracle Java SE subscription", "Oracle", "license", 40, "30d", "auto", "1y", 41_000, "active"),
]


def _fields(row: tuple, today: date, index: int) -> ContractFields:
    ref, title, vendor, type_, offset, notice, renewal, term, value, status = row
    end = today + timedelta(days=offset)
    start = end - timedelta(days=365 * (3 if term in ("3y", "2y") else 1))
    lead = "15d" if index % 4 == 0 else "0d"
    given = {"reference", "title", "vendor", "type", "end", "start", "notice", "renewal", "term", "value", "status",
             "owner", "lead"}
    return ContractFields(
        reference=ref, title=title, vendor=vendor, type=type_, start=start, end=end,
        notice=parse_duration(notice), renewal=renewal, term=parse_duration(term), lead=parse_duration(lead),
        value=Decimal(value), status=status, owner=OWNERS[index % len(OWNERS)], given=given,
    )


# reference, priority, response, resolution, clock, credit %
SLA_TERMS = [
    ("CTR-OBS-001", "P1", "30min", "4h", "24x7", "5"), ("CTR-OBS-001", "P2", "1h", "8h", "24x7", "2"),
    ("CTR-OBS-001", "P3", "4h", "2bd", "business", "1"),
    ("CTR-CAP-001", "P1", "30min", "4h", "business", "5"), ("CTR-CAP-001", "P2", "1h", "8h", "business", "3"),
    ("CTR-CAP-001", "P3", "4h", "24h", "business", "1"), ("CTR-CAP-001", "P4", "8h", "72h", "business", "0.5"),
    ("CTR-ATO-001", "P1", "15min", "4h", "24x7", "8"), ("CTR-ATO-001", "P2", "1h", "8h", "24x7", "4"),
    ("CTR-OVH-001", "P1", "30min", "4h", "24x7", "10"),
]
# reference, availability target %, credit %, cap %
SLA_POLICIES = [("CTR-OBS-001", "99.9", "10", "15"), ("CTR-ATO-001", "99.95", "15", "20"),
                ("CTR-OVH-001", "99.9", "10", "15")]
# reference, priority, summary, opened (hours before now), acked after (h), resolved after (h)
INCIDENTS = [
    ("CTR-OBS-001", "P1", "WAN down at the Lyon site", 30, 0.25, 5.5),
    ("CTR-OBS-001", "P2", "Packet loss on the Paris–Lille MPLS link", 52, 0.5, 6),
    ("CTR-ATO-001", "P1", "Data centre B storage outage", 75, 0.5, 3),
    ("CTR-CAP-001", "P2", "Month-end closing batch failed", 20, 2, None),
    ("CTR-OVH-001", "P1", "Private cloud hypervisor cluster unreachable", 3, None, None),
]


def _load_sla(session: Session, *, settings: Settings, now: datetime) -> None:
    for ref, priority, response, resolution, clock, credit in SLA_TERMS:
        contract = contracts.get_by_reference(session, reference=ref)
        if contract is not None and sla_terms.get_term(session, contract_id=contract.id, priority=priority) is None:
            term = sla_terms.TermInput(priority, parse_duration(response), parse_duration(resolution), clock,
                                       Decimal(credit))
            sla_terms.set_term(session, contract=contract, term=term, actor="demo", now=now)
    for ref, target, credit, cap in SLA_POLICIES:
        contract = contracts.get_by_reference(session, reference=ref)
        if contract is not None:
            sla_terms.set_policy(session, contract=contract, availability_target=Decimal(target),
                                 availability_credit_pct=Decimal(credit), cap_pct=Decimal(cap), actor="demo", now=now)
    if incidents.get_all(session, open_only=False, limit=1)[1]:
        return
    for ref, priority, summary, hours_ago, ack_after, resolve_after in INCIDENTS:
        contract = contracts.get_by_reference(session, reference=ref)
        if contract is None:
            continue
        opened = now - timedelta(hours=hours_ago)
        incident = incidents.create(session, contract=contract, priority=priority, summary=summary, opened_at=opened,
                                    actor=OWNERS[0], now=now, calendar=settings.calendar)
        if ack_after is not None:
            incidents.acknowledge(session, incident=incident, at=opened + timedelta(hours=ack_after),
                                  actor=OWNERS[1], now=now)
        if resolve_after is not None:
            incidents.resolve(session, incident=incident, at=opened + timedelta(hours=resolve_after), note=None,
                              actor=OWNERS[1], now=now)


def load_demo(session: Session, *, settings: Settings, now: datetime, reset: bool = False) -> int:
    """Add the demo contracts that are not there yet; with reset, delete everything first."""
    if reset:
        _reset_indexation(session)
        for model in (Alert, Amendment, AuditEvent, SlackEvent, DisputeIncident, Dispute, Incident, SlaTerm, SlaPolicy,
                      ObligationFulfilment, Obligation, Contract, Vendor):
            session.execute(delete(model))
    today = now.astimezone(settings.tz).date()
    defaults = contracts.Defaults(currency=settings.currency, lead=settings.default_lead)
    added = 0
    for index, row in enumerate(PORTFOLIO):
        if contracts.get_by_reference(session, reference=row[0]) is None:
            contracts.create(session, values=_fields(row, today, index), defaults=defaults, actor="demo", now=now)
            added += 1
    _load_sla(session, settings=settings, now=now)
    _load_disputes(session, settings=settings, now=now)
    _load_obligations(session, settings=settings, now=now, today=today)
    _load_indexation(session, today=today, now=now)
    return added


def _load_disputes(session: Session, *, settings: Settings, now: datetime) -> None:
    """Disputes at several stages: one stale (no update for 20 days), one claimed from the SLA credits
    of the month of the Lyon WAN outage, one escalated, one closed with recovered and written off."""
    if disputes.get_all(session, open_only=False, limit=1).total:
        return
    day = timedelta(days=1)
    ibm = contracts.get_by_reference(session, reference="CTR-IBM-002")
    if ibm is not None:
        disputes.create(session, contract=ibm, summary="Replacement parts invoiced twice (Q2)",
                        amount_claimed=Decimal("8400.00"), actor=OWNERS[2], now=now - 20 * day)
    sop = contracts.get_by_reference(session, reference="CTR-SOP-002")
    if sop is not None:
        dispute = disputes.create(session, contract=sop, summary="Service desk staffing below the contractual level",
                                  amount_claimed=Decimal("46000.00"), actor=OWNERS[0], now=now - 40 * day)
        disputes.update(session, dispute=dispute, status="negotiating", note="Vendor disputes the headcount figures",
                        actor=OWNERS[0], now=now - 30 * day)
        disputes.update(session, dispute=dispute, status="escalated", note="On the agenda of the steering committee",
                        actor=OWNERS[0], now=now - 3 * day)
    cap = contracts.get_by_reference(session, reference="CTR-CAP-001")
    if cap is not None:
        dispute = disputes.create(session, contract=cap, summary="Late delivery of the year-end closing release",
                                  amount_claimed=Decimal("30000.00"), actor=OWNERS[1], now=now - 75 * day)
        disputes.update(session, dispute=dispute, status="mediation", note="Mediation clause invoked (CMAP)",
                        actor=OWNERS[1], now=now - 50 * day)
        disputes.update(session, dispute=dispute, status="settled", note="Agreement signed at mediation",
                        actor=OWNERS[1], now=now - 20 * day)
        disputes.close(session, dispute=dispute, outcome="Credit note received", recovered=Decimal("18000.00"),
                       force=False, actor=OWNERS[1], now=now - 12 * day)
    obs = contracts.get_by_reference(session, reference="CTR-OBS-001")
    if obs is not None:
        outage = (now - timedelta(hours=30)).astimezone(settings.tz).date()
        period = month_period(outage.year, outage.month, settings.tz)
        lyon = [i for i in incidents.get_all(session, contract_id=obs.id, open_only=False)[0] if i.priority == "P1"]
        try:
            claim = disputes.sla_claim(session, contract=obs, start=period.start, end=period.end,
                                       first_day=period.first_day, last_day=period.last_day, now=now)
        except DomainError:
            return  # no credit due: nothing to claim
        disputes.create(session, contract=obs, summary="Service credits for the Lyon WAN outage",
                        amount_claimed=None, incident_numbers=[i.id for i in lyon], sla=claim, actor=OWNERS[0],
                        now=now)



# reference, what, due offset in days from today, every, party, evidence required
OBLIGATIONS = [
    ("CTR-ATO-001", "Vendor's insurance certificate (civil liability)", -12, "1y", "vendor", True),
    ("CTR-ATO-001", "Disaster recovery plan (PRA) test", 20, "6mo", "us", False),
    ("CTR-CAP-001", "Quality assurance plan (PAQ) update", 5, None, "vendor", True),
    ("CTR-SAP-001", "GDPR data processing agreement review", 45, "1y", "us", False),
    ("CTR-OBS-001", "Quarterly steering committee", 9, "3mo", "us", False),
    ("CTR-KYN-001", "Reversibility plan delivery", 150, None, "vendor", True),
]


def _load_obligations(session: Session, *, settings: Settings, now: datetime, today: date) -> None:
    """One overdue, several recurring, some needing evidence — unless the demo already has obligations."""
    if session.scalar(select(Obligation.id).limit(1)) is not None:
        return
    for index, (ref, what, offset, every, party, evidence) in enumerate(OBLIGATIONS):
        contract = contracts.get_by_reference(session, reference=ref)
        if contract is None:
            continue
        obligations.create(session, contract=contract, what=what, due=today + timedelta(days=offset),
                           every=parse_duration(every) if every else None, owner=OWNERS[index % len(OWNERS)],
                           party=party, evidence_required=evidence, actor="demo", now=now,
                           thresholds=settings.obligation_thresholds)


# Two indexed contracts (issue 9): the TMA on the Syntec index from its base (fixed part 15 %), and the
# service desk chained (revised once already, so its next revision starts from the revised price).
INDEXED = [("CTR-CAP-001", "base", "0.15", 20, False), ("CTR-SOP-001", "chained", "0.30", 25, True)]


def _reset_indexation(session: Session) -> None:
    for model in (PriceRevision, RevisionClause, IndexValue):
        session.execute(delete(model))


def _load_indexation(session: Session, *, today: date, now: datetime) -> None:
    first_month = add_months(today.replace(day=1), -24)
    for i in range(24):  # realistic Syntec values, around 280-300, published about a month later
        month = add_months(first_month, i)
        value = Decimal("280.0") + Decimal("0.8") * i + Decimal("0.1") * (i % 3)
        published = today - timedelta(days=1) if i == 23 else None
        if indices.get(session, name="syntec", month=month) is None:
            indices.set_value(session, name="syntec", month=month, value=value, published_on=published,
                              actor="demo", now=now)
    for ref, mode, fixed, days_ahead, revised_once in INDEXED:
        contract = contracts.get_by_reference(session, reference=ref)
        if contract is None or revisions.get_clause(session, contract_id=contract.id) is not None:
            continue
        next_on = today + timedelta(days=days_ahead)
        first = add_months(next_on, -12) if revised_once else next_on
        given = ClauseInput(index="syntec", base=first_month, fixed=Decimal(fixed), mode=mode, first=first,
                            given={"index", "base", "fixed", "mode", "first"})
        clause, _ = revisions.set_clause(session, contract=contract, given=given, actor="demo", now=now,
                                         today=add_months(next_on, -12) if revised_once else today)
        if revised_once:
            comp = revisions.compute(session, contract=contract, clause=clause, at=first)
            revisions.apply(session, comp=comp, actor="demo", now=now)
