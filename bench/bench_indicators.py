"""Programme evidence at full size: the officers' dashboard, its XLSX export and a producer's
12-month statement on 5,000 producers, 100,000 products and about 1,000,000 order lines.

Per engine, fills a database with `flask seed-bench --sellers 5000 --products 100000 --orders N`
(N = BENCH_ORDER_LINES / ~1.92 lines per order; default 1,000,000 lines), then measures through
the Flask test client (server time: routing, queries, templates, no network):

  (a) the whole dashboard page (/petugas/indikator) for one year, no filter, as an officer;
  (b) the same with two filters (training type + kecamatan) and (b2) with channel + category;
  (c) the XLSX export for the year;
  (d) the 12-month statement PDF (POST /penjual/penjualan/laporan) of a busy producer (99th
      percentile by sale lines in the last year) and of the busiest one;
  (e) the dashboard's figures alone (exports.build_report as the page calls it), to separate SQL
      from rendering.

Each line prints p50 and max over BENCH_ROUNDS repetitions (default 5, after one warm-up), the
number of SQL statements one request runs (counted with a SQLAlchemy event), the target and
PASS/MISS. Targets: dashboard under 1 s, statement under 2 s, on SQLite and on PostgreSQL.

Environment: BENCH_ENGINES=sqlite|postgresql (default both), BENCH_ORDER_LINES (default 1000000),
BENCH_ROUNDS, BENCH_WARMUP=0 skips the warm-up request, BENCH_REUSE_DB=1 keeps the database between runs (SQLite file and PostgreSQL
database named after the size, under BENCH_REUSE_DIR, default /tmp/plb_bench_indicators) and
seeds it only when empty. Without BENCH_REUSE_DB a throw-away database is used.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from bench.common import POSTGRES_DEFAULT, bench_app, engines, percentile, scratch_database

SELLERS = 5_000
PRODUCTS = 100_000
LINES_PER_ORDER = 1.92          # what seed-bench's order generator averages (520,000 orders ~ 1,000,000 lines)
DASHBOARD_TARGET = 1.0
STATEMENT_TARGET = 2.0
OFFICER_EMAIL = "bench-officer@example.id"


@contextlib.contextmanager
def _database(engine: str, lines: int) -> Iterator[tuple[str, str]]:
    """(database URL, media folder): kept between runs with BENCH_REUSE_DB=1, else thrown away."""
    if not os.environ.get("BENCH_REUSE_DB"):
        with scratch_database(engine) as uri, tempfile.TemporaryDirectory(prefix="plb-bench-media-") as media:
            yield uri, media
        return
    folder = Path(os.environ.get("BENCH_REUSE_DIR", "/tmp/plb_bench_indicators"))
    media = folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    name = "plb_bench_indicators" if lines == 1_000_000 else f"plb_bench_indicators_{lines}"
    if engine == "sqlite":
        yield f"sqlite:///{folder / (name + '.sqlite' if name != 'plb_bench_indicators' else 'db.sqlite')}", str(media)
        return
    from config import database_url

    server = database_url(os.environ.get("BENCH_DATABASE_URL", POSTGRES_DEFAULT))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield make_url(server).set(database=name).render_as_string(hide_password=False), str(media)


class QueryCounter:
    """Counts the SQL statements an engine runs while `active`."""

    def __init__(self, engine):
        self.count = 0
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args, **kwargs):
        if self.active:
            self.count += 1

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        self.count, self.active = 0, True
        try:
            yield
        finally:
            self.active = False


def _seed(app, lines: int) -> None:
    from marketplace.extensions import db
    from marketplace.models import OrderLine

    with app.app_context():
        existing = db.session.scalar(select(func.count()).select_from(OrderLine))
        db.session.remove()
    if existing:
        print(f"  reusing the database: {existing:,} order lines already there", flush=True)
        return
    orders = max(1, round(lines / LINES_PER_ORDER))
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(
        args=["seed-bench", "--sellers", str(SELLERS), "--products", str(PRODUCTS), "--orders", str(orders)],
        catch_exceptions=False)
    if result.exit_code:
        raise RuntimeError(result.output)
    print("  " + result.output.strip().replace("\n", "\n  "), flush=True)
    print(f"  seed-bench: {time.perf_counter() - started:.1f} s", flush=True)


def _setup(app):
    """Officer id, two producers (busiest, 99th percentile), a training type, kecamatan and category, today."""
    from marketplace.extensions import db
    from marketplace.formatting import to_wib
    from marketplace.models import (
        Category,
        Cohort,
        OrderLine,
        PartStatus,
        Role,
        SellerCohort,
        SellerOrder,
        SellerProfile,
        User,
        utcnow,
    )

    with app.app_context():
        session = db.session
        officer = session.scalar(select(User).where(User.email == OFFICER_EMAIL))
        if officer is None:
            officer = User(email=OFFICER_EMAIL, name="Petugas Bench", role=Role.OFFICER, password_hash="x",
                           preferred_language="id", is_active_account=True)
            session.add(officer)
            session.commit()
        # Producers by paid sale lines over the last year: the busiest, and one at the 99th percentile.
        since = utcnow() - timedelta(days=365)
        ranked = session.execute(
            select(SellerOrder.seller_id, func.count(OrderLine.id))
            .join(OrderLine, OrderLine.seller_order_id == SellerOrder.id)
            .where(SellerOrder.payment_confirmed_at >= since,
                   SellerOrder.status.not_in((PartStatus.CANCELLED, PartStatus.REFUNDED)))
            .group_by(SellerOrder.seller_id).order_by(func.count(OrderLine.id).desc())).all()
        busiest, busiest_lines = ranked[0]
        busy, busy_lines = ranked[len(ranked) // 100]
        producers = {name: (session.get(SellerProfile, seller_id).user_id, seller_id, lines)
                     for name, seller_id, lines in (("busiest", busiest, busiest_lines), ("p99", busy, busy_lines))}
        # The most common (training type, kecamatan) pair among producers, so the filters select sales.
        training_type_id, kecamatan = session.execute(
            select(Cohort.training_type_id, SellerProfile.kecamatan_code)
            .join(SellerCohort, SellerCohort.cohort_id == Cohort.id)
            .join(SellerProfile, SellerProfile.id == SellerCohort.seller_id)
            .where(SellerProfile.kecamatan_code.is_not(None))
            .group_by(Cohort.training_type_id, SellerProfile.kecamatan_code)
            .order_by(func.count().desc()).limit(1)).one()
        category_id = session.scalar(select(Category.id).where(Category.parent_id.is_(None)).order_by(Category.id))
        setup = dict(officer_id=officer.id, producers=producers, training_type_id=training_type_id, kecamatan=kecamatan, category_id=category_id,
                     today=to_wib(utcnow()).date())
        session.remove()
    return setup


def _login(client, user_id: int) -> None:
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(user_id)
        flask_session["_fresh"] = True


def _measure(label: str, action, counter: QueryCounter, rounds: int, target: float, warm_up: bool = True) -> None:
    if warm_up and os.environ.get("BENCH_WARMUP", "1") != "0":
        action()                                                # warm-up: templates, caches
    times, queries = [], 0
    for _ in range(rounds):
        with counter.counting():
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
        queries = counter.count
    p50, worst = percentile(times, 50), max(times)
    verdict = "PASS" if p50 < target else "MISS"
    print(f"  {label:<44} p50 {p50 * 1000:8.1f} ms  max {worst * 1000:8.1f} ms  {queries:3d} queries  "
          f"target < {target * 1000:.0f} ms  {verdict}", flush=True)


def _get(client, url: str, size_hint: str = "") -> bytes:
    response = client.get(url)
    body = response.get_data()
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {body[:300]!r}")
    return body


def run_engine(engine: str, lines: int, rounds: int) -> None:
    from marketplace.extensions import db
    from marketplace.services import indicator_exports as exports
    from marketplace.services.indicators import Filters, Period

    with _database(engine, lines) as (uri, media):
        started = time.perf_counter()
        app = bench_app(uri, media)
        print(f"  migrations: {time.perf_counter() - started:.1f} s", flush=True)
        _seed(app, lines)
        with app.app_context():
            counter = QueryCounter(db.engine)
            db.session.remove()
            if engine == "postgresql":
                # What autovacuum does to a live database: fresh statistics, and the visibility map the
                # covering indexes need for index-only scans (bulk-loaded tables have none yet).
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
        s = _setup(app)
        end = s["today"]
        start = end - timedelta(days=364)
        period = f"preset=custom&start={start.isoformat()}&end={end.isoformat()}"
        officer = app.test_client()
        _login(officer, s["officer_id"])
        two_filters = f"{period}&training_type={s['training_type_id']}&kecamatan={s['kecamatan']}"
        channel_category = f"{period}&channel=online&category={s['category_id']}"
        print(f"  one year {start} .. {end}; filters: training type {s['training_type_id']} + kecamatan "
              f"{s['kecamatan']}; channel online + category {s['category_id']}",
              flush=True)

        page = _get(officer, f"/petugas/indikator?{period}")
        print(f"  dashboard page: {len(page) / 1024:.0f} KB of HTML", flush=True)
        _measure("(a) dashboard, one year, no filter", lambda: _get(officer, f"/petugas/indikator?{period}"),
                 counter, rounds, DASHBOARD_TARGET)
        _measure("(b) dashboard, training type + kecamatan", lambda: _get(officer, f"/petugas/indikator?{two_filters}"),
                 counter, rounds, DASHBOARD_TARGET)
        _measure("(b2) dashboard, channel + category",
                 lambda: _get(officer, f"/petugas/indikator?{channel_category}"), counter, rounds, DASHBOARD_TARGET)
        _measure("(c) XLSX export, one year", lambda: _get(officer, f"/petugas/indikator/ekspor.xlsx?{period}"),
                 counter, rounds, DASHBOARD_TARGET)

        month_end = s["today"].replace(day=1) - timedelta(days=1)
        first = month_end.replace(day=1)
        for _ in range(11):
            first = (first - timedelta(days=1)).replace(day=1)
        form = {"from_month": f"{first:%Y-%m}", "to_month": f"{month_end:%Y-%m}"}

        def statement(client):
            def run() -> bytes:
                response = client.post("/penjual/penjualan/laporan", data=form)
                body = response.get_data()
                if response.status_code != 200 or not body.startswith(b"%PDF"):
                    raise RuntimeError(f"statement answered {response.status_code}: {body[:300]!r}")
                return body
            return run

        for name in ("p99", "busiest"):
            user_id, seller_id, sale_lines = s["producers"][name]
            producer = app.test_client()
            _login(producer, user_id)
            pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", statement(producer)()))   # also the warm-up
            print(f"  producer {seller_id} ({name} by sale lines in the last year: {sale_lines:,} lines, "
                  f"statement {form['from_month']}..{form['to_month']}, {pages} PDF pages)", flush=True)
            _measure(f"(d) 12-month statement PDF, {name} producer", statement(producer), counter, rounds,
                     STATEMENT_TARGET, warm_up=False)

        year = Period(start, end)

        def figures(filters: Filters):
            def run():
                with app.app_context():
                    exports.build_report(db.session, year, filters, with_buyers=False)   # as the page does
                    db.session.remove()
            return run

        _measure("(e) dashboard figures only, no filter", figures(Filters()), counter, rounds, DASHBOARD_TARGET)
        _measure("(e) dashboard figures only, two filters",
                 figures(Filters(training_type_id=s["training_type_id"], kecamatan_code=s["kecamatan"])),
                 counter, rounds, DASHBOARD_TARGET)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main(argv: list[str]) -> None:
    lines = int(os.environ.get("BENCH_ORDER_LINES", "1000000"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    try:
        load = os.getloadavg()
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs", flush=True)
    except OSError:
        pass
    for engine in engines():
        print(f"indicators on {engine}: {SELLERS:,} producers, {PRODUCTS:,} products, ~{lines:,} order lines, "
              f"{rounds} rounds", flush=True)
        run_engine(engine, lines, rounds)
