"""The authorization matrix: every endpoint in `app.url_map`, requested by every kind of visitor.

`ACCESS` says, for each endpoint, who may use it. The rules come from reading the views'
decorators and ownership checks (marketplace/auth/decorators.py, each blueprint's routes and
sibling modules), not from watching responses. A route added without an entry here, or an
entry left behind for a route that is gone, fails `test_every_endpoint_has_an_access_rule`.

Each endpoint is requested once per role (anonymous, a buyer, two approved producers A and B,
a producer waiting for approval, an officer, an admin): GET when it has one, otherwise POST
with an empty form (CSRF is off in the test app). The response must fall in exactly the
expected class: allowed, sent to log in, 403, 404 (another producer's record: its id says
nothing), or the webhook's 400; never a 500.

Orders have no per-buyer check: the order pages go by their unguessable link, which guests
get too. So the matrix lets whoever holds the link in, and
`test_an_order_link_reaches_nothing_but_its_own_order` checks that a link never reaches
another order's parts or lines, and that an unknown link is a 404.

The world (users, products, orders, payouts, statements ...) is built once for the module.
Requests that change what they touch act on fresh records made for that one request (see
`VICTIMS`), so no test depends on another's order.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from flask import url_for

from marketplace.extensions import db
from marketplace.formatting import to_wib
from marketplace.models import Image, Product, ProductStatus, SellerProfile, SellerStatus, User, utcnow
from marketplace.services import accounts, offline_sales, orders, payouts, statements
from marketplace.services.mail import outbox
from marketplace.services.order_states import OFFICER as OFFICER_ACTOR
from marketplace.templating import image_url
from tests import factories
from tests.conftest import _empty_all_tables, login

# ---- who asks, and what they may get --------------------------------------------------------

ROLES = ("anonymous", "buyer", "producer_a", "producer_b", "pending_producer", "officer", "admin")

ALLOWED = "allowed"  # 2xx, a redirect to a page other than the login page, or a 400 form error on a bare POST
AWAY = "redirected away"  # a redirect to a page other than the login page (logged-in users on login pages)
LOGIN = "sent to log in"
FORBIDDEN = "403"
NOT_FOUND = "404"
REJECTED = "400"


@dataclass(frozen=True)
class Rule:
    """An access rule: the outcome each role must get."""

    name: str
    outcomes: dict[str, str]

    def __repr__(self) -> str:
        return self.name


def rule(name: str, default: str, **per_role: str) -> Rule:
    """A rule giving every role `default` except those named."""
    unknown = set(per_role) - set(ROLES)
    assert not unknown, unknown
    return Rule(name, {role: per_role.get(role, default) for role in ROLES})


_NOT_PRODUCERS = {"buyer": FORBIDDEN, "officer": FORBIDDEN, "admin": FORBIDDEN}

PUBLIC = rule("PUBLIC", ALLOWED)
STATIC = rule("STATIC", ALLOWED)
# Login and register pages: logged-in users are sent on.
ANONYMOUS_ONLY = rule("ANONYMOUS_ONLY", AWAY, anonymous=ALLOWED)
LOGGED_IN = rule("LOGGED_IN", ALLOWED, anonymous=LOGIN)
# Opening a shop: any logged-in user but staff (officers decide on shops, so they may not own one).
SHOP_APPLICANT = rule("SHOP_APPLICANT", ALLOWED, anonymous=LOGIN, officer=FORBIDDEN, admin=FORBIDDEN)
# The page explaining how to open a shop: open to visitors too, not to staff.
SHOP_INTRO = rule("SHOP_INTRO", ALLOWED, officer=FORBIDDEN, admin=FORBIDDEN)
# @seller_required: a seller profile in any status.
SELLER = rule("SELLER", ALLOWED, anonymous=LOGIN, **_NOT_PRODUCERS)
# @seller_required and the record must be the producer's own (producer A's here).
SELLER_OWN = rule("SELLER_OWN", ALLOWED, anonymous=LOGIN, producer_b=NOT_FOUND, pending_producer=NOT_FOUND,
                  **_NOT_PRODUCERS)
# @approved_seller_required.
APPROVED_SELLER = rule("APPROVED_SELLER", ALLOWED, anonymous=LOGIN, pending_producer=FORBIDDEN, **_NOT_PRODUCERS)
APPROVED_SELLER_OWN = rule("APPROVED_SELLER_OWN", ALLOWED, anonymous=LOGIN, producer_b=NOT_FOUND,
                           pending_producer=FORBIDDEN, **_NOT_PRODUCERS)
# @officer_required: officers and admins.
OFFICER = rule("OFFICER", FORBIDDEN, anonymous=LOGIN, officer=ALLOWED, admin=ALLOWED)
# @admin_required.
ADMIN = rule("ADMIN", FORBIDDEN, anonymous=LOGIN, admin=ALLOWED)
# The order pages: the unguessable link is the key (guests have no account), whoever holds it.
ORDER_LINK = rule("ORDER_LINK", ALLOWED)
# Stripe's webhook: no login, no CSRF; an unsigned body is refused the same for everyone.
WEBHOOK = rule("WEBHOOK", REJECTED)
# A draft product's page: only its producer (A) and officers preview it; to anyone else it does not exist.
PRODUCT_PREVIEW = rule("PRODUCT_PREVIEW", NOT_FOUND, producer_a=ALLOWED, officer=ALLOWED, admin=ALLOWED)
# A shop not yet approved: only its owner (the pending producer) and officers preview it.
SHOP_PREVIEW = rule("SHOP_PREVIEW", NOT_FOUND, pending_producer=ALLOWED, officer=ALLOWED, admin=ALLOWED)

ACCESS: dict[str, Rule] = {
    # admin blueprint (routes, producers, programme, moderation, staff, payouts, statements,
    # indicators, exhibitions)
    "admin.audit_log": OFFICER,
    "admin.categories": OFFICER,
    "admin.category_delete": OFFICER,
    "admin.category_edit": OFFICER,
    "admin.category_new": OFFICER,
    "admin.cohort_edit": OFFICER,
    "admin.cohort_new": OFFICER,
    "admin.dashboard": OFFICER,
    "admin.decide": OFFICER,
    "admin.exhibition": OFFICER,
    "admin.exhibition_edit": OFFICER,
    "admin.exhibition_new": OFFICER,
    "admin.exhibitions": OFFICER,
    "admin.indicator_seller": OFFICER,
    "admin.indicator_sellers": OFFICER,
    "admin.indicators": OFFICER,
    "admin.indicators_export": OFFICER,
    "admin.indicators_report": OFFICER,
    "admin.indicators_transactions": OFFICER,
    "admin.officer_new": ADMIN,
    "admin.officer_set_active": ADMIN,
    "admin.offline_sale": OFFICER,
    "admin.offline_sale_correct": OFFICER,
    "admin.offline_sale_new": OFFICER,
    "admin.offline_sale_void": OFFICER,
    "admin.payout_batch": OFFICER,
    "admin.payout_batch_csv": OFFICER,
    "admin.payout_cancel": OFFICER,
    "admin.payout_mark_sent": OFFICER,
    "admin.payout_settings": ADMIN,
    "admin.payouts_create_batch": OFFICER,
    "admin.payouts_overview": OFFICER,
    "admin.producer": OFFICER,
    "admin.producer_adjust": ADMIN,
    "admin.producer_commission": ADMIN,
    "admin.producer_ledger": OFFICER,
    "admin.producers": OFFICER,
    "admin.product": OFFICER,
    "admin.products": OFFICER,
    "admin.staff": ADMIN,
    "admin.statement_issue": OFFICER,
    "admin.training_type_edit": OFFICER,
    "admin.training_type_new": OFFICER,
    "admin.trainings": OFFICER,
    "admin.unpublish": OFFICER,
    # auth
    "auth.account": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "auth.forgot_password": PUBLIC,
    "auth.forgot_password_sent": PUBLIC,
    "auth.login": ANONYMOUS_ONLY,
    "auth.logout": PUBLIC,
    "auth.register": ANONYMOUS_ONLY,
    "auth.reset_password": PUBLIC,  # the signed token in the link is the key
    # catalog
    "catalog.category": PUBLIC,
    "catalog.feed_csv": OFFICER,
    "catalog.feed_google": PUBLIC,
    "catalog.home": PUBLIC,
    "catalog.producer": SHOP_PREVIEW,
    "catalog.product": PRODUCT_PREVIEW,
    "catalog.products": PUBLIC,
    "catalog.robots": PUBLIC,
    "catalog.search_results": PUBLIC,
    "catalog.sitemap_index": PUBLIC,
    "catalog.sitemap_pages": PUBLIC,
    "catalog.sitemap_products": PUBLIC,
    "catalog.suggest": PUBLIC,
    # probes, media, language, statement check
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "media.rendition": PUBLIC,
    "set_language": PUBLIC,
    "static": STATIC,
    "verification.lookup": PUBLIC,
    "verification.statement": PUBLIC,  # the code printed on the paper is the key
    # orders: cart and checkout are open to guests; the order pages go by their link
    "orders.buyer_cancel": ORDER_LINK,
    "orders.buyer_confirm_receipt": ORDER_LINK,
    "orders.buyer_review": ORDER_LINK,
    "orders.card_payment": ORDER_LINK,
    "orders.card_return": ORDER_LINK,
    "orders.cart": PUBLIC,
    "orders.cart_accept_prices": PUBLIC,
    "orders.cart_add": PUBLIC,
    "orders.cart_remove": PUBLIC,
    "orders.cart_update": PUBLIC,
    "orders.checkout_contact": PUBLIC,
    "orders.checkout_delivery": PUBLIC,
    "orders.delivery_settings": SELLER,
    "orders.guest_order": ORDER_LINK,
    "orders.my_orders": LOGGED_IN,
    "orders.officer_confirm_transfer": OFFICER,
    "orders.officer_refund": OFFICER,
    "orders.officer_stuck": OFFICER,
    "orders.officer_transfers": OFFICER,
    "orders.seller_advance": SELLER_OWN,
    "orders.seller_cancel": SELLER_OWN,
    "orders.seller_cash_received": SELLER_OWN,
    "orders.seller_confirm_transfer": SELLER_OWN,
    "orders.seller_order": SELLER_OWN,
    "orders.seller_orders": SELLER,
    "orders.stripe_webhook": WEBHOOK,
    "orders.transfer_receipt": ORDER_LINK,
    # sellers: onboarding is for users who may open a shop; the rest for producers
    "sellers.balance": SELLER,
    "sellers.balance_payout": SELLER_OWN,
    "sellers.bank_details": SELLER,
    "sellers.dashboard": LOGGED_IN,  # without a shop it sends the user to register one
    "sellers.onboarding": SHOP_INTRO,
    "sellers.onboarding_consent": SHOP_APPLICANT,
    "sellers.onboarding_contact": SHOP_APPLICANT,
    "sellers.onboarding_location": SHOP_APPLICANT,
    "sellers.onboarding_papers": SHOP_APPLICANT,
    "sellers.onboarding_programme": SHOP_APPLICANT,
    "sellers.onboarding_review": SHOP_APPLICANT,
    "sellers.onboarding_shop": SHOP_APPLICANT,
    "sellers.product_archive": APPROVED_SELLER_OWN,
    "sellers.product_duplicate": APPROVED_SELLER_OWN,
    "sellers.product_edit": APPROVED_SELLER_OWN,
    "sellers.product_import": APPROVED_SELLER,
    "sellers.product_import_template": APPROVED_SELLER,
    "sellers.product_new": APPROVED_SELLER,
    "sellers.product_photo_action": APPROVED_SELLER_OWN,
    "sellers.product_photos": APPROVED_SELLER_OWN,
    "sellers.product_quick": APPROVED_SELLER_OWN,
    "sellers.products": APPROVED_SELLER,
    "sellers.sales": APPROVED_SELLER,
    "sellers.sales_statement": APPROVED_SELLER,
    "sellers.sales_statement_again": APPROVED_SELLER_OWN,
    "sellers.shop_edit": APPROVED_SELLER,
    "sellers.stall_sale_correct": APPROVED_SELLER_OWN,
    "sellers.stall_sale_new": APPROVED_SELLER,
    "sellers.stall_sale_void": APPROVED_SELLER_OWN,
    "sellers.stall_sales": APPROVED_SELLER,
}


# ---- the shared world -----------------------------------------------------------------------

def _today():
    return to_wib(utcnow()).date()


def _build_world(app) -> SimpleNamespace:
    """Everyone and everything the URLs point at; ids and keys only (the session ends here)."""
    session = db.session
    buyer = factories.make_user(session, name="Sri Pembeli")
    other_buyer = factories.make_user(session, name="Ani Pembeli")
    officer = factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Dinas")
    admin = factories.make_user(session, role=factories.Role.ADMIN, name="Admin Dinas")
    bank = {"bank_name": "BRI", "bank_account_number": "0987654321", "bank_account_holder": "Ibu Sri"}
    producer_a = factories.make_seller(session, shop_name="Anyaman Bu Sri", **bank)
    producer_b = factories.make_seller(session, shop_name="Tani Organik Garum", **bank)
    pending = factories.make_seller(session, shop_name="Batik Menunggu", status=SellerStatus.PENDING)
    for seller in (producer_a, producer_b):
        factories.set_delivery(session, seller, pickup=True, cash=True)

    category = factories.make_category(session)
    cohort = factories.make_training(session)
    product = factories.make_product(session, seller=producer_a, category=category, stock=100_000)
    photo = factories.add_product_image(session, product, width=400, height=300)
    draft = factories.make_product(session, seller=producer_a, name="Tas Belum Terbit", status=ProductStatus.DRAFT)
    b_product = factories.make_product(session, seller=producer_b, name="Beras Organik", stock=1_000)

    order = factories.place_order(session, [(product, 1), (b_product, 1)], buyer_user=buyer)
    a_part = next(part for part in order.parts if part.seller_id == producer_a.id)
    other_order = factories.place_order(session, [(product, 2)], buyer_user=other_buyer)

    # Money producer A is owed, paid out in a batch.
    paid = factories.place_order(session, [(product, 3)], buyer_user=other_buyer)
    orders.confirm_payment(session, paid.id, actor_id=None, actor_role=OFFICER_ACTOR)
    batch = payouts.create_batch(session, actor_id=officer.id, seller_ids=[producer_a.id])
    payout = batch.created[0]

    # A past period nothing below touches, so downloading it again keeps working.
    issue, _pdf = statements.issue_statement(session, producer_a, statements.month_range("2025-01", "2025-02"),
                                             issued_by_id=officer.id, render=lambda issue, data: b"")
    event = offline_sales.save_event(session, actor_id=officer.id, name="Pameran UMKM Blitar", place="Alun-alun",
                                     start_date=_today() - timedelta(days=2), end_date=_today())
    stall_sale = offline_sales.record_sale(session, actor_id=producer_a.user_id, seller=producer_a, today=_today(),
                                           data=offline_sales.SaleInput(sale_date=_today(), value=40_000))
    officer_sale = offline_sales.record_sale(session, actor_id=officer.id, seller=producer_a, today=_today(),
                                             data=offline_sales.SaleInput(sale_date=_today(), value=50_000))
    with app.test_request_context():
        media_key = image_url(session.get(Image, photo.image_id), 320).removeprefix("/media/")

    return SimpleNamespace(
        users={"buyer": buyer.id, "producer_a": producer_a.user_id, "producer_b": producer_b.user_id,
               "pending_producer": pending.user_id, "officer": officer.id, "admin": admin.id},
        buyer_id=buyer.id, officer_id=officer.id,
        producer_a=producer_a.id, producer_b=producer_b.id, pending=pending.id, pending_slug=pending.slug,
        category_id=category.id, category_slug=category.slug,
        cohort_id=cohort.id, training_type_id=cohort.training_type_id,
        product_id=product.id, photo_id=photo.id, draft_slug=draft.slug, media_key=media_key,
        token=order.access_token, part_id=a_part.id, line_id=a_part.lines[0].id, order_id=order.id,
        other_token=other_order.access_token, other_part_id=other_order.parts[0].id,
        other_line_id=other_order.parts[0].lines[0].id,
        batch_id=batch.batch.id, payout_id=payout.id, statement_code=issue.code, event_id=event.id,
        stall_sale_id=stall_sale.id, officer_sale_id=officer_sale.id,
        reset_token=accounts.make_reset_token(app.config["SECRET_KEY"], buyer),
    )


@pytest.fixture(scope="module")
def world(app):
    """Built once for this module; emptied when the module is done."""
    with app.app_context():
        built = _build_world(app)
        db.session.remove()
    yield built
    with app.app_context():
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
    outbox(app).clear()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Overrides the suite's per-test emptying of every table: the world lives for the module."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()


# ---- fresh records for requests that change what they touch -------------------------------------

def _victim_order(w, session):
    """A new unpaid transfer order of the buyer's for producer A's product."""
    product = session.get(Product, w.product_id)
    buyer = session.get(User, w.buyer_id)
    return factories.place_order(session, [(product, 1)], buyer_user=buyer)


def _victim_product(w, session):
    return factories.make_product(session, seller=session.get(SellerProfile, w.producer_a), name="Tas Cadangan")


def _victim_sale(w, session, actor_id):
    seller = session.get(SellerProfile, w.producer_a)
    return offline_sales.record_sale(session, actor_id=actor_id, seller=seller, today=_today(),
                                     data=offline_sales.SaleInput(sale_date=_today(), value=10_000))


def _order_part(w, session):
    order = _victim_order(w, session)
    return {"part_id": order.parts[0].id}


VICTIMS = {
    "admin.category_delete": lambda w, s: {"category_id": factories.make_category(s, name_id="Hapus").id},
    "admin.decide": lambda w, s: {"seller_id": factories.make_seller(s, status=SellerStatus.PENDING).id,
                                  "decision_slug": "setujui"},
    "admin.officer_set_active": lambda w, s: {
        "user_id": factories.make_user(s, role=factories.Role.OFFICER, active=False).id, "change": "aktifkan"},
    "admin.offline_sale_void": lambda w, s: {"sale_id": _victim_sale(w, s, w.officer_id).id},
    "admin.producer_adjust": lambda w, s: {"seller_id": factories.make_seller(s).id},
    "admin.producer_commission": lambda w, s: {"seller_id": factories.make_seller(s).id},
    "admin.unpublish": lambda w, s: {"product_id": _victim_product(w, s).id},
    "orders.buyer_cancel": lambda w, s: (lambda o: {"token": o.access_token, "part_id": o.parts[0].id})(
        _victim_order(w, s)),
    "orders.officer_confirm_transfer": lambda w, s: {"order_id": _victim_order(w, s).id},
    "orders.seller_advance": _order_part,
    "orders.seller_cancel": _order_part,
    "orders.seller_cash_received": _order_part,
    "orders.seller_confirm_transfer": _order_part,
    "sellers.product_archive": lambda w, s: {"product_id": _victim_product(w, s).id},
    "sellers.product_quick": lambda w, s: {"product_id": _victim_product(w, s).id},
}

# URL values taken from the world (read-only use).
PARAMS = {
    "admin.category_edit": lambda w: {"category_id": w.category_id},
    "admin.cohort_edit": lambda w: {"cohort_id": w.cohort_id},
    "admin.exhibition": lambda w: {"event_id": w.event_id},
    "admin.exhibition_edit": lambda w: {"event_id": w.event_id},
    "admin.indicator_seller": lambda w: {"seller_id": w.producer_a},
    "admin.indicators_export": lambda w: {"fmt": "csv"},
    "admin.offline_sale": lambda w: {"sale_id": w.officer_sale_id},
    "admin.offline_sale_correct": lambda w: {"sale_id": w.officer_sale_id},
    "admin.payout_batch": lambda w: {"batch_id": w.batch_id},
    "admin.payout_batch_csv": lambda w: {"batch_id": w.batch_id},
    "admin.payout_cancel": lambda w: {"payout_id": w.payout_id},
    "admin.payout_mark_sent": lambda w: {"payout_id": w.payout_id},
    "admin.producer": lambda w: {"seller_id": w.producer_a},
    "admin.producer_ledger": lambda w: {"seller_id": w.producer_a},
    "admin.product": lambda w: {"product_id": w.product_id},
    "admin.statement_issue": lambda w: {"seller_id": w.producer_a},
    "admin.training_type_edit": lambda w: {"training_type_id": w.training_type_id},
    "auth.reset_password": lambda w: {"token": w.reset_token},
    "catalog.category": lambda w: {"slug": w.category_slug},
    "catalog.producer": lambda w: {"slug": w.pending_slug},
    "catalog.product": lambda w: {"slug": w.draft_slug},
    "catalog.sitemap_products": lambda w: {"chunk": 1},
    "media.rendition": lambda w: {"key": w.media_key},
    "static": lambda w: {"filename": "css/app.css"},
    "verification.statement": lambda w: {"code": w.statement_code},
    "orders.buyer_confirm_receipt": lambda w: {"token": w.token, "part_id": w.part_id},
    "orders.buyer_review": lambda w: {"token": w.token, "line_id": w.line_id},
    "orders.card_payment": lambda w: {"token": w.token},
    "orders.card_return": lambda w: {"token": w.token},
    "orders.guest_order": lambda w: {"token": w.token},
    "orders.officer_refund": lambda w: {"part_id": w.part_id},
    "orders.seller_order": lambda w: {"part_id": w.part_id},
    "orders.transfer_receipt": lambda w: {"token": w.token},
    "sellers.balance_payout": lambda w: {"payout_id": w.payout_id},
    "sellers.product_duplicate": lambda w: {"product_id": w.product_id},
    "sellers.product_edit": lambda w: {"product_id": w.product_id},
    "sellers.product_photo_action": lambda w: {"product_id": w.product_id, "photo_id": w.photo_id},
    "sellers.product_photos": lambda w: {"product_id": w.product_id},
    "sellers.sales_statement_again": lambda w: {"code": w.statement_code},
    "sellers.stall_sale_correct": lambda w: {"sale_id": w.stall_sale_id},
    "sellers.stall_sale_void": lambda w: {"sale_id": w.stall_sale_id},
}

# The smallest form that still reaches the view's own checks.
FORMS = {
    "set_language": {"lang": "id"},
}


# ---- requests and their outcome -------------------------------------------------------------

def _endpoints(app) -> dict[str, set[str]]:
    methods: dict[str, set[str]] = {}
    for url_rule in app.url_map.iter_rules():
        methods.setdefault(url_rule.endpoint, set()).update(url_rule.methods - {"HEAD", "OPTIONS"})
    return methods


def outcome(response) -> str:
    """The class a response falls in, as named in the rules."""
    status = response.status_code
    if 300 <= status < 400:
        target = urlsplit(response.headers.get("Location", "")).path
        return LOGIN if target == "/akun/masuk" else AWAY
    if 200 <= status < 300:
        return ALLOWED
    if status == 400:
        return REJECTED
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    return f"HTTP {status}"


def matches(expected: str, got: str, method: str) -> bool:
    """Whether `got` is the expected class; ALLOWED takes a redirect, and a form error on a bare POST."""
    if expected == ALLOWED:
        return got in (ALLOWED, AWAY) or (method == "POST" and got == REJECTED)
    return got == expected


def url_for_path(app, endpoint: str, **values) -> str:
    """The endpoint's path, built outside any request."""
    with app.test_request_context():
        return url_for(endpoint, **values)


def client_as(app, world, role: str):
    """A fresh client, logged in as `role` (none for the anonymous visitor)."""
    client = app.test_client()
    if role != "anonymous":
        login(client, db.session.get(User, world.users[role]))
    return client


def send(app, client, endpoint: str, url: str, form: dict | None = None):
    """GET when the endpoint has one, else POST `form` (empty by default)."""
    method = "GET" if "GET" in _endpoints(app)[endpoint] else "POST"
    response = client.get(url) if method == "GET" else client.post(url, data=form or {})
    return method, response


def _request(app, world, endpoint: str, role: str):
    if endpoint in VICTIMS:
        values = VICTIMS[endpoint](world, db.session)
    else:
        values = PARAMS.get(endpoint, lambda w: {})(world)
    url = url_for_path(app, endpoint, **values)
    method, response = send(app, client_as(app, world, role), endpoint, url, FORMS.get(endpoint))
    return method, url, response


def test_every_endpoint_has_an_access_rule(app):
    routed = set(_endpoints(app))
    missing = sorted(routed - set(ACCESS))
    stale = sorted(set(ACCESS) - routed)
    assert not missing, f"endpoints without an entry in ACCESS (add their rule): {missing}"
    assert not stale, f"ACCESS entries for endpoints that no longer exist: {stale}"


def test_url_values_name_only_existing_endpoints():
    assert not (set(PARAMS) | set(VICTIMS) | set(FORMS)) - set(ACCESS)
    assert not set(PARAMS) & set(VICTIMS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_each_role_gets_exactly_what_the_rule_says(app, world, endpoint, role):
    expected = ACCESS[endpoint].outcomes[role]
    method, url, response = _request(app, world, endpoint, role)
    got = outcome(response)
    assert response.status_code < 500, f"{method} {url} as {role}: {response.status_code}"
    assert matches(expected, got, method), (
        f"{method} {url} as {role}: expected {expected} ({ACCESS[endpoint]!r}), got {got} "
        f"(HTTP {response.status_code} {response.headers.get('Location', '')})")


# ---- order links reach their own order only ---------------------------------------------------

ORDER_LINK_ENDPOINTS = sorted(endpoint for endpoint, access in ACCESS.items() if access is ORDER_LINK)
# A made-up link of the real links' shape (43 URL-safe characters).
UNKNOWN_TOKEN = "Zq3" * 14 + "x"


def _foreign_values(w, endpoint: str) -> dict:
    """The buyer's real link with the other buyer's part or line, where the URL has one;
    otherwise an unknown link."""
    if endpoint in ("orders.buyer_cancel", "orders.buyer_confirm_receipt"):
        return {"token": w.token, "part_id": w.other_part_id}
    if endpoint == "orders.buyer_review":
        return {"token": w.token, "line_id": w.other_line_id}
    return {"token": UNKNOWN_TOKEN}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ORDER_LINK_ENDPOINTS)
def test_an_order_link_reaches_nothing_but_its_own_order(app, world, endpoint, role):
    url = url_for_path(app, endpoint, **_foreign_values(world, endpoint))
    method, response = send(app, client_as(app, world, role), endpoint, url)
    assert response.status_code == 404, f"{method} {url} as {role}: HTTP {response.status_code}"


def test_my_orders_lists_the_buyers_own_orders_only(app, world):
    page = client_as(app, world, "buyer").get(url_for_path(app, "orders.my_orders")).get_data(as_text=True)
    assert world.token in page
    assert world.other_token not in page


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_staff_cannot_open_a_shop_and_so_never_decide_on_their_own(app, world, role):
    client = client_as(app, world, role)
    response = client.post(url_for_path(app, "sellers.onboarding_shop"),
                           data={"shop_name": "Toko Petugas", "story": "Toko milik petugas program.",
                                 "products_summary": "Tas"})
    assert response.status_code == 403
    assert db.session.get(User, world.users[role]).seller_profile is None
