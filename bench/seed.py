"""Create a SQLite database with N contracts (default 100,000) for the benchmarks, quickly.

    PYTHONPATH=. python bench/seed.py [--n 100000] [--db bench/out/contracts-100000.db] [--force]

The schema is built by the product (storage.db.open_database: the Alembic migrations); vendors and
contracts are then bulk-inserted with SQLAlchemy Core `insert()` executemany, in batches, in one
transaction. Derived columns follow storage.contracts.recompute exactly: notice_deadline and act_by
come from bot.deadlines, search_text is `fold(reference) fold(title) fold(vendor name)`.

The spread is meant to look like a large IT portfolio: ~300 vendors with a long tail (a few vendors
hold many contracts), end dates over the next 3 years (closed contracts ended in the past year),
notice 0d–6mo, internal lead 0–30d, renewal auto/manual/none, statuses mostly active, most contracts
owned by one of 60 managers, some with an alert channel. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import DEFAULT_N, OUT, db_path, sqlite_url  # noqa: E402
from sqlalchemy import column, insert, table  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402

from bot import deadlines  # noqa: E402
from bot.durations import parse_duration  # noqa: E402
from bot.text import fold  # noqa: E402
from storage import search_index  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import Contract, Vendor  # noqa: E402

BATCH = 5_000
N_VENDORS = 300

REAL_VENDORS = [
    "Oracle", "Microsoft", "SAP", "Capgemini", "Orange Business", "OVHcloud", "Atos", "Sopra Steria", "IBM",
    "Dell Technologies", "ServiceNow", "Salesforce", "Amazon Web Services", "Google", "Adobe", "Cisco",
    "Broadcom (VMware)", "SFR Business", "Accenture", "Splunk", "Atlassian", "Kyndryl", "CGI", "BT Global",
    "DocuSign", "Hewlett Packard Enterprise", "Lenovo", "Red Hat", "Fortinet", "Palo Alto Networks", "Zscaler",
    "Okta", "Workday", "Snowflake", "Datadog", "Elastic", "MongoDB", "Citrix", "Veeam", "NetApp", "Equinix",
    "Interxion", "Bouygues Telecom Entreprises", "Inetum", "Alten", "Akkodis", "Econocom", "Computacenter",
    "Bechtle", "SCC", "Société Générale Informatique", "Orange Cyberdefense", "Thalès Digital", "Dassault Systèmes",
    "Cegid", "Sage", "Wolters Kluwer", "Infor", "Ivanti", "Qualys",
]
PREFIXES = ["Nord", "Sud", "Alpha", "Blue", "Cyber", "Data", "Euro", "Global", "Hexa", "Info", "Kappa", "Logi",
            "Méga", "Neo", "Omni", "Prime", "Quantum", "Servi", "Télé", "Ultra", "Vertex", "Zenith", "Arc", "Bright"]
SUFFIXES = ["Systems", "Consulting", "Networks", "Services", "Cloud", "Solutions", "Informatique", "Digital",
            "Technologies", "Logiciels", "Data Centers", "Télécom", "Sécurité"]

# (type, weight, title words)
TYPES = [
    ("license", 14, ["Database Enterprise licences", "Java SE subscription", "mainframe software (MLC)",
                     "Creative Cloud licences", "virtualisation licences", "backup software licences"]),
    ("saas", 16, ["CRM subscription", "ITSM Pro subscription", "HR suite subscription", "collaboration suite",
                  "e-signature platform", "observability platform", "identity platform"]),
    ("maintenance", 12, ["hardware maintenance", "storage arrays ProSupport", "ERP maintenance",
                         "Power servers maintenance", "printers maintenance"]),
    ("support", 12, ["premier support", "SmartNet support", "database support", "24x7 support",
                     "security operations support"]),
    ("tma", 8, ["TMA finance applications", "TMA HR applications", "document management TMA",
                "TMA legacy applications"]),
    ("managed_services", 8, ["data centre managed services", "service desk outsourcing", "network operations",
                             "workplace managed services"]),
    ("consulting", 8, ["ERP migration consulting", "cloud migration programme", "security audit",
                       "architecture consulting"]),
    ("cloud", 10, ["private cloud hosting", "consumption commitment", "backup storage (object)",
                   "colocation racks"]),
    ("telecom", 6, ["WAN and MPLS network", "mobile fleet", "fibre links (branches)", "international MPLS"]),
    ("hardware", 4, ["laptop fleet purchase framework", "servers purchase", "network equipment purchase"]),
    ("other", 2, ["contract management tool", "training framework", "translation services"]),
]
SITES = ["Paris", "Lyon", "Lille", "Nantes", "Toulouse", "Bordeaux", "Marseille", "Strasbourg", "group", "EMEA",
         "France", "Benelux", "DACH", "Iberia", "Nordics", "UK"]
STATUSES = [("active", 85), ("negotiating", 5), ("notice_given", 3), ("draft", 2), ("expired", 3), ("terminated", 2)]
NOTICES = [("0d", 10), ("30d", 20), ("60d", 12), ("90d", 18), ("1mo", 5), ("2mo", 5), ("3mo", 20), ("6mo", 10)]
TERMS = [("1y", 60), ("2y", 12), ("3y", 12), ("6mo", 8), ("1mo", 4), ("12mo", 4)]
RENEWALS = [("auto", 60), ("manual", 30), ("none", 10)]
CURRENCIES = [("EUR", 85), ("USD", 10), ("GBP", 5)]
OWNERS = [f"U0MGR{i:04d}" for i in range(60)]
CHANNELS = [f"C0CONTR{i:03d}" for i in range(25)]
STAGING = "contracts_staged"


def insert_contracts(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Many new contracts at once, each row with the same keys (the product's import has its own
    multi-row INSERTs, `storage.bulk_load.BulkInsert`, which the triggers index as cheaply).

    Core executemany runs one INSERT per row, and with the FTS5 triggers each of them is a statement
    with its own savepoint, at which FTS5 writes its pending index to disk: ~90 µs a row, 8× the cost
    of indexing the same rows in one statement. So on SQLite with the FTS5 table the rows go into a
    TEMP table (no trigger, no affinity: values stay as bound) and then into `contracts` with one
    INSERT … SELECT, in the same order (same ids). The triggers still index every row."""
    if not rows:
        return
    if not search_index.has_fts(connection):
        connection.execute(insert(Contract), rows)
        return
    names = list(rows[0])
    if any(name not in Contract.__table__.c for name in names):
        raise ValueError("not a contracts column")
    listed = ", ".join(names)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{STAGING}")  # nothing left from a failed batch
    connection.exec_driver_sql(f"CREATE TEMP TABLE {STAGING} ({listed})")
    columns = [column(name, Contract.__table__.c[name].type) for name in names]  # the same bind processing
    connection.execute(insert(table(STAGING, *columns, schema="temp")), rows)
    connection.exec_driver_sql(f"INSERT INTO main.contracts ({listed}) SELECT {listed} FROM temp.{STAGING}"
                               " ORDER BY rowid")
    connection.exec_driver_sql(f"DROP TABLE temp.{STAGING}")


def _pick(rng: random.Random, weighted: list[tuple[str, int]], k: int) -> list[str]:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted], k=k)


def vendor_names(rng: random.Random, n: int) -> list[str]:
    names: dict[str, str] = {fold(v): v for v in REAL_VENDORS[:n]}
    while len(names) < n:
        name = f"{rng.choice(PREFIXES)}{rng.choice(['', ' ', '-'])}{rng.choice(SUFFIXES)}"
        if rng.random() < 0.3:
            name += f" {rng.choice(SITES)}"
        names.setdefault(fold(name), name)
    return list(names.values())


def vendor_code(name: str) -> str:
    letters = "".join(ch for ch in fold(name).upper() if ch.isalpha())
    return (letters + "XXX")[:3]


def seed(url: str, *, n: int, seed_value: int = 20261123, today: date | None = None) -> dict[str, float]:
    rng = random.Random(seed_value)
    today = today or date.today()
    now = datetime.now(UTC)
    started = time.perf_counter()
    engine, _factory = open_database(url)
    schema_s = time.perf_counter() - started

    names = vendor_names(rng, N_VENDORS)
    vendor_rows = [{"id": i + 1, "name": name, "name_key": fold(name), "created_at": now}
                   for i, name in enumerate(names)]
    # A long tail: vendor i is chosen with weight 1/(i+1)^0.8 (the big vendors come first).
    vendor_weights = [1 / (i + 1) ** 0.8 for i in range(len(names))]
    folded_vendor = [fold(name) for name in names]
    codes = [vendor_code(name) for name in names]

    durations = {text: parse_duration(text) for text, _ in NOTICES + TERMS}
    leads = {days: parse_duration(f"{days}d") for days in range(31)}

    gen_started = time.perf_counter()
    vendor_idx = rng.choices(range(len(names)), weights=vendor_weights, k=n)
    statuses = _pick(rng, STATUSES, n)
    notices = _pick(rng, NOTICES, n)
    terms = _pick(rng, TERMS, n)
    renewals = _pick(rng, RENEWALS, n)
    currencies = _pick(rng, CURRENCIES, n)
    type_names = [t for t, _, _ in TYPES]
    type_idx = rng.choices(range(len(TYPES)), weights=[w for _, w, _ in TYPES], k=n)
    per_vendor: dict[int, int] = {}

    def rows():  # type: ignore[no-untyped-def]
        for i in range(n):
            v = vendor_idx[i]
            status = statuses[i]
            number = per_vendor[v] = per_vendor.get(v, 0) + 1
            reference = f"CTR-{codes[v]}{v:03d}-{number:05d}"
            type_index = type_idx[i]
            title = f"{rng.choice(TYPES[type_index][2])} {rng.choice(SITES)}"
            if status in ("expired", "terminated"):
                end = today - timedelta(days=rng.randint(1, 365))
            else:
                end = today + timedelta(days=rng.randint(1, 3 * 365))
            notice = durations[notices[i]]
            lead_days = 0 if rng.random() < 0.5 else rng.randint(1, 30)
            lead = leads[lead_days]
            term_text = terms[i]
            start = deadlines.term_end(end, durations[term_text], -1) if rng.random() < 0.9 else None
            notice_deadline = deadlines.notice_deadline(end, notice)
            act_by = deadlines.act_by(end, notice, lead)
            value = None if rng.random() < 0.05 else Decimal(rng.randint(1_000, 2_000_000))
            roll = rng.random()
            owner = None if roll < 0.03 else OWNERS[rng.randrange(len(OWNERS))]
            channel = CHANNELS[rng.randrange(len(CHANNELS))] if rng.random() < 0.3 else None
            yield {
                "reference": reference, "reference_key": reference.upper(), "title": title, "vendor_id": v + 1,
                "type": type_names[type_index], "status": status, "start_date": start, "end_date": end,
                "end_anchor": end, "renewals_since_anchor": 0, "notice": notice,
                "term": durations[term_text], "lead": lead, "renewal": renewals[i],
                "notice_deadline": notice_deadline, "act_by": act_by, "annual_value": value,
                "currency": currencies[i], "owner": owner, "channel": channel,
                "search_text": " ".join([fold(reference), fold(title), folded_vendor[v]]),
                "alerts_snoozed_until": None, "created_at": now, "updated_at": now, "version": 1,
            }

    insert_s = 0.0
    with engine.begin() as connection:
        connection.execute(insert(Vendor.__table__), vendor_rows)
        batch: list[dict] = []
        for row in rows():
            batch.append(row)
            if len(batch) == BATCH:
                t0 = time.perf_counter()
                insert_contracts(connection, batch)  # staged: FTS5 triggers fired in one statement
                insert_s += time.perf_counter() - t0
                batch = []
        if batch:
            t0 = time.perf_counter()
            insert_contracts(connection, batch)
            insert_s += time.perf_counter() - t0
    commit_done = time.perf_counter()
    with engine.connect() as connection:  # fold the WAL into the main file: a plain file to copy
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    total = time.perf_counter() - started
    return {"n": n, "vendors": len(vendor_rows), "schema_s": schema_s, "insert_s": insert_s,
            "generate_s": (commit_done - gen_started) - insert_s, "total_s": total}


def verify(url: str, *, sample: int = 500) -> int:
    """Re-derive a sample of rows with storage.contracts.recompute; return how many differ (expect 0)."""
    from sqlalchemy import func, select

    from storage.contracts import recompute

    engine, factory = open_database(url)
    bad = 0
    with factory() as session:
        for contract in session.scalars(select(Contract).order_by(func.random()).limit(sample)):
            before = (contract.notice_deadline, contract.act_by, contract.search_text)
            recompute(contract)
            if (contract.notice_deadline, contract.act_by, contract.search_text) != before:
                bad += 1
                print(f"  {contract.reference}: stored {before}, recompute gives "
                      f"{(contract.notice_deadline, contract.act_by, contract.search_text)}")
        session.rollback()
    engine.dispose()
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="number of contracts (default 100,000)")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default bench/out/contracts-N.db)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.add_argument("--verify", action="store_true", help="check a sample against storage.contracts.recompute")
    args = parser.parse_args(argv)
    path = (args.db or db_path(args.n)).resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    if path.exists():
        if not args.force:
            print(f"{path} exists (use --force to rebuild)")
            return _verify(path) if args.verify else 0
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = seed(sqlite_url(path), n=args.n, seed_value=args.seed)
    size = path.stat().st_size / 1e6
    print(f"seeded {figures['n']:,} contracts / {figures['vendors']} vendors into {path} ({size:,.0f} MB)")
    print(f"  total {figures['total_s']:.2f} s  (schema {figures['schema_s']:.2f} s, row generation "
          f"{figures['generate_s']:.2f} s, Core insert executemany {figures['insert_s']:.2f} s)")
    return _verify(path) if args.verify else 0


def _verify(path: Path) -> int:
    bad = verify(sqlite_url(path))
    print(f"verify: {'OK, 500 sampled rows match' if not bad else f'{bad} sampled rows differ from'}"
          " storage.contracts.recompute")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
