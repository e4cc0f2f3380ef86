"""Property-based fuzzing of every form and query-string endpoint (Hypothesis).

The endpoints come from `app.url_map`: every route that accepts POST is fuzzed (a new one is picked
up without editing this file), and so is every GET route whose URL parameters we can fill, with
random query strings. Each endpoint runs as the role that can reach it, with CSRF off so the fuzz
reaches validation, and after every example we check:

- the answer is not a server error (status < 500, no exception), and
- the data of *other* users (producer B's profile, products, prices, stock, delivery settings,
  offline sales, ledger and payouts; buyer B's orders and cart; B's user rows) is unchanged.

The world (two producers, two buyers, orders, a payout, an exhibition...) is built once per test
function; examples accumulate the acting user's own changes, which the check tolerates because it
compares only B's rows. Field names come from the endpoint's WTForms class (FORMS below), from the
forms on its GET page, and from the names the views read with request.form/args.get; values are
unicode, very long, numeric, odd dates, NUL bytes, other users' record ids... and random bytes for
file fields. Before the random examples, each id-like field is also tried with numbers no id column
holds and with "²" (which str.isdigit() accepts and int() refuses), the other fields valid.

The default profile is derandomised (the same examples every run, 25 per endpoint) so the suite
stays stable; `HYPOTHESIS_PROFILE=deep` runs 300 per endpoint with fresh randomness.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.routing.converters import AnyConverter
from wtforms.fields.core import UnboundField
from wtforms import FileField, MultipleFileField

from marketplace import create_app
from marketplace.admin import exhibition_forms, forms as admin_forms, payout_forms
from marketplace.auth import forms as auth_forms
from marketplace.models import (
    CartItem, DeliveryMethod, DeliverySettings, LedgerEntry, OfflineSale, Order, OrderLine, PartStatus, Payment,
    PaymentMethod, Payout, Product, ProductImage, ProductStatus, SellerOrder, SellerProfile, SellerStatus, User,
    product_tags, utcnow,
)
from marketplace.orders import forms as order_forms
from marketplace.sellers import forms as seller_forms, product_forms
from marketplace.sellers import sales_forms
from marketplace.services import accounts, offline_sales, orders, payouts
from marketplace.services import cart as cart_service
from marketplace.services.order_states import OFFICER, SELLER
from tests import factories
from tests.conftest import login

settings.register_profile(
    "default", max_examples=25, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("deep", parent=settings.get_profile("default"), max_examples=300, derandomize=False)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

WEBHOOK_SECRET = "whsec_fuzzing"
SOURCE = Path(__file__).resolve().parent.parent / "marketplace"

# An app of our own, only to read the URL map at collection time (parametrisation needs it).
_ROUTES_APP = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
RULES = sorted((r for r in _ROUTES_APP.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)
POST_RULES = [r for r in RULES if "POST" in r.methods]

# ---- who may reach what ------------------------------------------------------------------------

ANONYMOUS, BUYER, SELLER_ROLE, APPLICANT, OFFICER_ROLE, ADMIN = (
    "anonymous", "buyer", "seller", "applicant", "officer", "admin")

# Endpoints whose role the URL prefix does not tell (checked first).
ROLE_OVERRIDES = {
    "auth.login": ANONYMOUS, "auth.register": ANONYMOUS, "auth.forgot_password": ANONYMOUS,
    "auth.forgot_password_sent": ANONYMOUS, "auth.reset_password": ANONYMOUS, "orders.stripe_webhook": ANONYMOUS,
    "catalog.feed_csv": OFFICER_ROLE,
    # admin_required views
    "admin.staff": ADMIN, "admin.officer_new": ADMIN, "admin.officer_set_active": ADMIN,
    "admin.payout_settings": ADMIN, "admin.producer_commission": ADMIN, "admin.producer_adjust": ADMIN,
}
ROLE_BY_PREFIX = [
    ("/penjual/daftar-toko", APPLICANT), ("/penjual/", SELLER_ROLE), ("/pesanan/penjual", SELLER_ROLE),
    ("/pesanan/petugas", OFFICER_ROLE), ("/petugas/", OFFICER_ROLE), ("/pesanan/", BUYER), ("/akun/", BUYER),
]


def role_for(rule) -> str:
    if rule.endpoint in ROLE_OVERRIDES:
        return ROLE_OVERRIDES[rule.endpoint]
    for prefix, role in ROLE_BY_PREFIX:
        if rule.rule.startswith(prefix):
            return role
    return ANONYMOUS


# ---- the world: actors A, bystanders B ------------------------------------------------------------

@dataclass
class World:
    ids: dict[str, int | str]
    users: dict[str, User]
    protected_user_ids: list[int]
    seller_b_id: int
    buyer_b_id: int
    other_ids: list[str] = field(default_factory=list)   # ids of B's records, fed into id-like fields
    emails_b: list[str] = field(default_factory=list)


def build_world(session) -> World:
    """Two producers (A acts, B is protected), two buyers, orders in several states, ledger entries,
    a payout batch, an exhibition with sales, a training cohort and a draft applicant."""
    today = date.today()
    # Plain records first, committed once (each commit costs a disk sync on the SQLite test file).
    category = factories.make_category(session, name_id="Kerajinan", name_en="Crafts", slug="kerajinan",
                                       commit=False)
    sub = factories.make_category(session, name_id="Tas", name_en="Bags", slug="tas", parent=category, commit=False)
    tag = factories.make_tag(session, commit=False)
    cohort = factories.make_training(session, start=today - timedelta(days=60), end=today - timedelta(days=50),
                                     commit=False)
    seller_a = factories.make_seller(session, shop_name="Anyaman Bu Sri", bank_name="BRI", commit=False,
                                     bank_account_number="0987654321", bank_account_holder="Ibu Sri")
    # B has no bank details, so "pay everyone" batches skip B by the rules, not by luck.
    seller_b = factories.make_seller(session, shop_name="Tani Organik Garum", commit=False)
    product_a = factories.make_product(session, seller=seller_a, category=sub, tags=[tag], stock=500, commit=False)
    draft_a = factories.make_product(session, seller=seller_a, name="Dompet Draf", status=ProductStatus.DRAFT,
                                     commit=False)
    product_b = factories.make_product(session, seller=seller_b, category=sub, tags=[tag], name="Beras Organik",
                                       price=18_000, stock=300, commit=False)
    buyer_a = factories.make_user(session, name="Sri Pembeli", commit=False)
    buyer_b = factories.make_user(session, name="Budi Pembeli", commit=False)
    officer = factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Dinas", commit=False)
    admin = factories.make_user(session, role=factories.Role.ADMIN, name="Admin Dinas", commit=False)
    staff_target = factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Baru", commit=False)
    # Every onboarding step answered, so each step's page accepts a POST.
    applicant = factories.make_seller(session, shop_name="Calon Penjual", status=SellerStatus.DRAFT,
                                      in_programme=False, data_consent_at=utcnow(), commit=False)
    session.flush()
    for seller in (seller_a, seller_b):
        factories.set_delivery(session, seller, local_fee=10_000, courier=(10_000, 20_000, 30_000), commit=False)
    photo_a = factories.add_product_image(session, product_a, width=320, height=240, commit=False)
    factories.add_product_image(session, product_b, width=320, height=240, color=(10, 200, 10), commit=False)
    session.commit()

    waiting_a = factories.place_order(session, [(product_a, 1)], buyer_user=buyer_a)
    paid_a = factories.place_order(session, [(product_a, 2)], buyer_user=buyer_a)
    orders.confirm_payment(session, paid_a.id, actor_id=None, actor_role=OFFICER)
    done_a = factories.place_order(session, [(product_a, 1)], buyer_user=buyer_a)
    orders.confirm_payment(session, done_a.id, actor_id=None, actor_role=OFFICER)
    for status in (PartStatus.PACKING, PartStatus.READY_FOR_PICKUP, PartStatus.DELIVERED):
        orders.advance_part(session, done_a.parts[0].id, status, actor_role=SELLER, actor_id=seller_a.user_id)
    paid_b = factories.place_order(session, [(product_b, 1)], buyer_user=buyer_b)
    orders.confirm_payment(session, paid_b.id, actor_id=None, actor_role=OFFICER)
    factories.place_order(session, [(product_b, 2)], buyer_user=buyer_b)

    event = offline_sales.save_event(session, actor_id=officer.id, name="Pameran UMKM Alun-alun", place="Blitar",
                                     start_date=today - timedelta(days=10), end_date=today - timedelta(days=5))
    sale_a = offline_sales.record_sale(
        session, actor_id=officer.id, seller=seller_a, today=today,
        data=offline_sales.SaleInput(sale_date=today - timedelta(days=6), value=50_000, product_id=product_a.id,
                                     quantity=1, event_id=event.id))
    sale_b = offline_sales.record_sale(
        session, actor_id=officer.id, seller=seller_b, today=today,
        data=offline_sales.SaleInput(sale_date=today - timedelta(days=6), value=40_000, product_id=product_b.id,
                                     quantity=2, event_id=event.id))
    own_sale_a = offline_sales.record_sale(
        session, actor_id=seller_a.user_id, seller=seller_a, today=today,
        data=offline_sales.SaleInput(sale_date=today - timedelta(days=2), value=25_000))
    batch = payouts.create_batch(session, actor_id=officer.id, seller_ids=[seller_a.id])
    cart_service.user_set(session, buyer_a.id, product_a.id, 1, add=True)
    cart_service.user_set(session, buyer_b.id, product_b.id, 2, add=True)

    ids = {
        "product_a": product_a.id, "draft_a": draft_a.id, "photo_a": photo_a.id, "product_b": product_b.id,
        "seller_a": seller_a.id, "seller_b": seller_b.id, "category": sub.id, "top_category": category.id,
        "tag": tag.id, "cohort": cohort.id, "training_type": cohort.training_type_id, "event": event.id,
        "sale_a": sale_a.id, "own_sale_a": own_sale_a.id, "sale_b": sale_b.id, "batch": batch.batch.id,
        "payout_a": batch.created[0].id, "stock_a": product_a.stock,
        "staff_target": staff_target.id, "waiting_a": waiting_a.id, "paid_a": paid_a.id,
        "waiting_a_part": waiting_a.parts[0].id, "paid_a_part": paid_a.parts[0].id, "done_a_part": done_a.parts[0].id,
        "done_a_line": done_a.parts[0].lines[0].id, "paid_b_part": paid_b.parts[0].id,
        "token_waiting_a": waiting_a.access_token, "token_paid_a": paid_a.access_token,
        "token_done_a": done_a.access_token, "product_a_slug": product_a.slug, "shop_a_slug": seller_a.slug,
        "category_slug": sub.slug, "product_b_slug": product_b.slug,
    }
    other_ids = [str(v) for v in (product_b.id, seller_b.id, sale_b.id, paid_b.id, paid_b.parts[0].id,
                                  paid_b.parts[0].lines[0].id, buyer_b.id, seller_b.user_id)]
    users = {BUYER: buyer_a, SELLER_ROLE: seller_a.user, APPLICANT: applicant.user, OFFICER_ROLE: officer,
             ADMIN: admin}
    return World(ids=ids, users=users, protected_user_ids=[buyer_b.id, seller_b.user_id],
                 seller_b_id=seller_b.id, buyer_b_id=buyer_b.id, other_ids=other_ids,
                 emails_b=[buyer_b.email, seller_b.user.email])


# ---- URL parameters -------------------------------------------------------------------------------

# Which order an order-token route works on (its part and line ids follow).
ORDER_FOR_ENDPOINT = {
    "orders.buyer_cancel": "waiting", "orders.transfer_receipt": "waiting", "orders.card_payment": "waiting",
    "orders.buyer_confirm_receipt": "paid", "orders.buyer_review": "done",
    "orders.seller_confirm_transfer": "waiting", "orders.seller_cash_received": "waiting",
    "orders.officer_confirm_transfer": "waiting", "orders.officer_refund": "done",
}


def _order_choice(endpoint: str) -> str:
    return ORDER_FOR_ENDPOINT.get(endpoint, "paid")


def _token(world, endpoint):
    if endpoint == "auth.reset_password":
        # A valid reset link of buyer A (who is then the acting user, so not protected).
        return accounts.make_reset_token(_ROUTES_APP.config["SECRET_KEY"], world.users[BUYER])
    return world.ids[f"token_{_order_choice(endpoint)}_a"]


# One provider per URL parameter name: (world, endpoint) -> value. Values always point at records
# the acting user may touch (A's), never at B's: the fuzz is on the forms, B is what must not change.
URL_PARAMS = {
    "token": _token,
    "part_id": lambda w, e: w.ids[f"{_order_choice(e)}_a_part"],
    "line_id": lambda w, e: w.ids["done_a_line"],
    "order_id": lambda w, e: w.ids[f"{_order_choice(e)}_a"],
    "product_id": lambda w, e: w.ids["product_a"],
    "photo_id": lambda w, e: w.ids["photo_a"],
    # Producers may change only the stall sales they recorded themselves.
    "sale_id": lambda w, e: w.ids["own_sale_a" if e.startswith("sellers.") else "sale_a"],
    "seller_id": lambda w, e: w.ids["seller_a"],
    "category_id": lambda w, e: w.ids["category"],
    "event_id": lambda w, e: w.ids["event"],
    "training_type_id": lambda w, e: w.ids["training_type"],
    "cohort_id": lambda w, e: w.ids["cohort"],
    "payout_id": lambda w, e: w.ids["payout_a"],
    "batch_id": lambda w, e: w.ids["batch"],
    "user_id": lambda w, e: w.ids["staff_target"],
    "slug": lambda w, e: {"catalog.category": w.ids["category_slug"], "catalog.producer": w.ids["shop_a_slug"]}.get(
        e, w.ids["product_a_slug"]),
    "chunk": lambda w, e: 1,
    "fmt": lambda w, e: "csv",
}
# GET routes left out of the query-string fuzz: they read no query string (files by path) or
# need a record these tests do not make.
GET_NOT_FUZZED = {"media.rendition", "sellers.sales_statement_again", "verification.statement"}


def missing_params(rule) -> list[str]:
    return [name for name in rule.arguments
            if name not in URL_PARAMS and not isinstance(rule._converters.get(name), AnyConverter)]


def url_values(rule, world, choose=None) -> dict:
    values = {}
    for name in sorted(rule.arguments):
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            items = sorted(converter.items)
            values[name] = choose(items) if choose else items[0]
        else:
            values[name] = URL_PARAMS[name](world, rule.endpoint)
    return values


# ---- field names ----------------------------------------------------------------------------------

# The form class each POST view validates (for POST-only routes this is the only source of names;
# routes with a GET page also get the names of the forms on that page).
FORMS = {
    "auth.login": auth_forms.LoginForm, "auth.register": auth_forms.RegisterForm,
    "auth.account": auth_forms.AccountForm, "auth.change_password": auth_forms.ChangePasswordForm,
    "auth.forgot_password": auth_forms.ForgotPasswordForm, "auth.reset_password": auth_forms.ResetPasswordForm,
    "sellers.onboarding_shop": seller_forms.ShopForm, "sellers.onboarding_location": seller_forms.LocationForm,
    "sellers.onboarding_contact": seller_forms.ContactForm,
    "sellers.onboarding_programme": seller_forms.ProgrammeForm, "sellers.onboarding_papers": seller_forms.PapersForm,
    "sellers.onboarding_consent": seller_forms.ConsentForm, "sellers.onboarding_review": seller_forms.SubmitForm,
    "sellers.product_new": product_forms.ProductForm, "sellers.product_edit": product_forms.ProductForm,
    "sellers.product_quick": product_forms.QuickUpdateForm, "sellers.product_duplicate": product_forms.DuplicateForm,
    "sellers.product_archive": product_forms.ArchiveForm, "sellers.product_photos": product_forms.PhotoUploadForm,
    "sellers.product_photo_action": product_forms.PhotoActionForm, "sellers.product_import": product_forms.ImportForm,
    "sellers.shop_edit": product_forms.ShopProfileForm, "sellers.sales_statement": sales_forms.StatementForm,
    "sellers.stall_sale_new": exhibition_forms.OfflineSaleForm,
    "sellers.stall_sale_correct": exhibition_forms.CorrectSaleForm,
    "sellers.stall_sale_void": exhibition_forms.VoidSaleForm,
    "orders.cart_add": order_forms.CartQuantityForm, "orders.cart_update": order_forms.CartQuantityForm,
    "orders.checkout_contact": order_forms.CheckoutContactForm,
    "orders.checkout_delivery": order_forms.CheckoutPlaceForm, "orders.seller_advance": order_forms.ShipForm,
    "orders.seller_cancel": order_forms.CancelForm, "orders.delivery_settings": order_forms.DeliverySettingsForm,
    "orders.buyer_review": order_forms.ReviewForm, "orders.transfer_receipt": order_forms.ReceiptForm,
    "orders.officer_refund": order_forms.RefundForm, "orders.buyer_cancel": order_forms.CancelForm,
    "admin.decide": admin_forms.DecisionForm, "admin.unpublish": admin_forms.UnpublishForm,
    "admin.training_type_new": admin_forms.TrainingTypeForm, "admin.training_type_edit": admin_forms.TrainingTypeForm,
    "admin.cohort_new": admin_forms.CohortForm, "admin.cohort_edit": admin_forms.CohortForm,
    "admin.category_new": admin_forms.CategoryForm, "admin.category_edit": admin_forms.CategoryForm,
    "admin.officer_new": admin_forms.OfficerForm,
    "admin.exhibition_new": exhibition_forms.ExhibitionForm, "admin.exhibition_edit": exhibition_forms.ExhibitionForm,
    "admin.offline_sale_new": exhibition_forms.OfflineSaleForm,
    "admin.offline_sale_correct": exhibition_forms.CorrectSaleForm,
    "admin.offline_sale_void": exhibition_forms.VoidSaleForm,
    "admin.payouts_create_batch": payout_forms.BatchForm, "admin.payout_mark_sent": payout_forms.SentForm,
    "admin.payout_cancel": payout_forms.CancelPayoutForm, "admin.payout_settings": payout_forms.SettingsForm,
    "admin.producer_commission": payout_forms.CommissionOverrideForm,
    "admin.producer_adjust": payout_forms.AdjustmentForm,
}
# GET forms that read the query string.
QUERY_FORMS = ["marketplace.catalog.forms:ListingForm", "marketplace.admin.indicator_forms:IndicatorFilterForm",
               "marketplace.admin.exhibition_forms:ChooseProducerForm", "marketplace.sellers.sales_forms:StatementForm"]


def form_fields(form_class) -> dict[str, bool]:
    """name -> is a file field, from the class's unbound fields (and its bases')."""
    fields = {}
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if isinstance(value, UnboundField):
            fields[name] = issubclass(value.field_class, (FileField, MultipleFileField))
    return fields


def _source_names(kind: str) -> set[str]:
    pattern = re.compile(r"request\.%s\.get(?:list)?\(\s*[\"'](\w+)[\"']" % kind)
    names = set()
    for path in SOURCE.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


FORM_NAMES_READ = _source_names("form")
QUERY_NAMES = _source_names("args") | {
    name for ref in QUERY_FORMS
    for name in form_fields(getattr(__import__(ref.split(":")[0], fromlist=["x"]), ref.split(":")[1]))}


class _FormNames(HTMLParser):
    """Collects input/select/textarea names (and which are file inputs) from a page."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, bool] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            self.fields.setdefault(attrs["name"], tag == "input" and attrs.get("type") == "file")


def page_fields(html: str) -> dict[str, bool]:
    parser = _FormNames()
    parser.feed(html)
    return parser.fields


# ---- value strategies -----------------------------------------------------------------------------

ODD_VALUES = [
    "", " ", "\x00", "a\x00b", "0", "-1", "-0", "1e309", "NaN", "inf", "-99999999999999999999",
    "99999999999999999999999999", "2147483648", "9223372036854775808", "1.000.000,50", "Rp 15.000", "Rp -5",
    "15,000", "0x1F", "１２３", "٣", "2025-02-30", "0000-00-00", "9999-12-31", "10000-01-01", "31/12/2025",
    "2025-13-01", "2025-1-1", "２０２５-０１-０１", " 2025-03-14 ", "2025-03", "2025-00", "99999-99", "1970-01-01",
    "2025-03-14T10:00:00+07:00", "y", "on", "yes", "true", "no", "false", "all", "place", "self", "custom",
    "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "\u202e", "😀", "ß" * 300,
    "a" * 5000, "²", "¹²", "①", "٣", "id", "en", "up", "down", "delete", "setujui", "tolak",
] + [m.value for enum in (PartStatus, DeliveryMethod, PaymentMethod, SellerStatus, ProductStatus) for m in enum]

_long_text = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(50, 2500))
_numbers = st.one_of(st.integers(-(10 ** 25), 10 ** 25).map(str),
                     st.floats(allow_nan=True, allow_infinity=True).map(str),
                     st.integers(-5, 1_000_001).map(lambda n: f"{n:,}".replace(",", ".")))
_dates = st.one_of(st.dates().map(lambda d: d.isoformat()), st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
                   st.tuples(st.integers(-10, 100_000), st.integers(-1, 14), st.integers(-1, 40)).map(
                       lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
                   st.tuples(st.integers(1990, 2100), st.integers(0, 13)).map(lambda t: f"{t[0]}-{t[1]:02d}"))


def plausible_values(world: World) -> dict[str, list[str]]:
    """Values that pass each named field's validation, so that examples mostly valid but for one
    field get past the forms into the services. Ids include B's records (an id-swap attempt)."""
    ids = world.ids
    today, week_ago = date.today(), date.today() - timedelta(days=7)
    money = ["15.000", "1", "Rp 250.000", "0"]
    count = ["5", "0", "1.000"]
    dates = [week_ago.isoformat(), (today - timedelta(days=6)).isoformat(), today.isoformat()]
    product_ids = [str(ids["product_a"]), str(ids["draft_a"]), str(ids["product_b"])]
    seller_ids = [str(ids["seller_a"]), str(ids["seller_b"])]
    return {
        "name": ["Tas Anyaman", "Angkatan 2026"], "shop_name": ["Anyaman Baru"], "name_id": ["Tas"],
        "name_en": ["Bags"], "email": ["sri.baru@example.id", world.users[BUYER].email, world.emails_b[0]],
        "password": ["Kuat2026Sekali"], "confirm": ["Kuat2026Sekali"],
        "current_password": [factories.PASSWORD], "phone": ["081234567890"], "whatsapp": ["0812-3456-7890"],
        "price": money, "value": money, "amount": money, "minimum": money, "payout_minimum": money,
        "local_delivery_fee": money, "courier_fee_blitar": money, "courier_fee_jatim": money,
        "courier_fee_indonesia": money, "stock": count, "quantity": ["1", "2"], "weight_grams": count,
        "stock_seen": [str(ids["stock_a"])], "start_date": dates, "end_date": dates, "sale_date": dates,
        "start": dates, "end": dates, "from_month": [today.strftime("%Y-%m")], "to_month": [today.strftime("%Y-%m")],
        "category_id": [str(ids["category"]), ""], "parent_id": [str(ids["top_category"]), ""],
        "category": ["tas", "kerajinan", str(ids["category"])], "tag": ["organik"], "tags": [str(ids["tag"])],
        "training_type_id": [str(ids["training_type"])], "training_type": [str(ids["training_type"])],
        "cohort": [str(ids["cohort"])], "cohorts": [str(ids["cohort"])], "product_id": product_ids,
        "event_id": [str(ids["event"]), ""], "acara": [str(ids["event"])], "seller_ids": seller_ids,
        "penjual": seller_ids, "status": ["draft", "published", "approved", "pending"], "unit": ["pcs", "kg"],
        "courier": ["JNE", "self"], "tracking_number": ["JNE0123456789"], "rating": ["5", "1"],
        "body": ["Bagus sekali"], "region": ["35.05", "35", ""], "regency_name": ["Kota Malang"],
        "kecamatan_code": ["35.05.10"], "kecamatan": ["35.05.10", "Kanigoro"], "desa": ["Kanigoro"],
        "street": ["Jl. Melati 1"], "postal_code": ["66171"], "address": ["Jl. Melati 1"],
        "in_programme": ["yes", "no"], "agree": ["y"], "commission": ["2.5", "0", "100"], "credit": ["y", ""],
        "hold_until_delivered": ["y"], "bank_name": ["BRI"], "bank_account_number": ["0987654321"],
        "bank_account_holder": ["Ibu Sri"], "language": ["id", "en"], "preferred_language": ["id", "en"],
        "lang": ["id", "en"], "to": [m.value for m in PartStatus], "action": ["place", "up", "down", "delete"],
        "mode": ["all", "selected"], "reason": ["Stok habis, maaf."], "note": ["Pameran"],
        "bank_reference": ["TRX-2026-001"], "slug": ["tas-baru", "kerajinan"], "position": ["1"],
        "payment_method": ["transfer", "cash", "card"], f"delivery-{ids['seller_a']}": ["pickup", "local", "courier"],
        f"completed_{ids['cohort']}": dates, "with_photos": ["y"], "remember": ["y"],
        "next": ["/", "//evil.example/", "https://evil.example/", "/pesanan/"], "q": ["tas", "beras organik"],
        "page": ["1", "2"], "sort": ["newest", "price_asc", "-value", "name"], "preset": ["this_year", "custom"],
        "breakdown": ["month", "seller", "kecamatan"], "channel": ["online", "offline"], "price_min": ["1.000"],
        "price_max": ["100.000"], "in_stock": ["y"], "code": ["ABCD-EFGH"], "offers_pickup": ["y"],
        "offers_cash": ["y"], "offers_courier": ["y", ""], "offers_local_delivery": ["y", ""],
        "pickup_note": ["Sore hari"], "story": ["Kami menganyam."], "products_summary": ["Tas"],
        "description": ["Tas buatan tangan."], "group_name": ["KUB Mawar"], "nib": ["1234567890123"],
        "pirt": ["2063505010123-24"], "halal": ["ID35110000123450123"], "place": ["Alun-alun"],
        "remove_photo": ["y", ""], "product_id_hidden": product_ids,
    }


def value_strategy(world: World):
    return st.one_of(st.text(max_size=40), st.sampled_from(ODD_VALUES), _numbers, _dates, _long_text,
                     st.sampled_from([str(v) for v in world.ids.values()] + world.other_ids))


_IMAGE_MAGIC = [b"", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                b"BM", b"II*\x00", b"\x00\x00\x00\x1cftypheic"]
_CSV_HEADER = "name,price,stock,unit,category,description,weight_grams,status"


_VALID_PICTURES = [factories.image_bytes(640, 480), factories.image_bytes(400, 400, fmt="PNG")]


def _valid_csvs(world: World) -> list[bytes]:
    """An import of A's own products, and one that names B's product by its code."""
    own = ["kode,nama,harga,stok,status", f"{world.ids['product_a_slug']},Tas Baru,20.000,3,draft",
           ",Produk Baru,5.000,2,draft"]
    theirs = ["kode,nama,harga,stok,status", f"{world.ids['product_b_slug']},Punya Orang Lain,1,0,published"]
    return ["\n".join(own).encode(), "\n".join(theirs).encode()]


def file_strategy(world: World | None = None, valid: bool = False):
    if valid and world is not None:
        return st.sampled_from([(picture, "foto.jpg") for picture in _VALID_PICTURES]
                               + [(table, "produk.csv") for table in _valid_csvs(world)])
    body = st.one_of(
        st.builds(lambda magic, rest: magic + rest, st.sampled_from(_IMAGE_MAGIC), st.binary(max_size=2000)),
        st.lists(st.lists(st.text(max_size=20), max_size=9).map(
            lambda cells: ",".join('"' + c.replace('"', '""') + '"' for c in cells)), max_size=6).map(
            lambda rows: "\n".join([_CSV_HEADER, *rows]).encode("utf-8", "surrogatepass")),
        st.just(factories.png_declaring(50_000, 50_000)),
    )
    name = st.one_of(st.sampled_from(["foto.jpg", "a.png", "produk.csv", "", "../../x.jpg", "x" * 300 + ".webp",
                                      "bukti.heic", "nul\x00.jpg"]), st.text(max_size=30))
    return st.tuples(body, name)


def payload_strategy(world: World, fields: dict[str, bool], extra_names: set[str]):
    """A list of (name, value) form (or query) pairs: known fields plus random keys. Half the
    examples are random throughout; the other half fill the page's own fields with plausible
    values and spoil about one in ten, to get past validation into the services."""
    values = value_strategy(world)
    plausible = plausible_values(world)
    known = sorted(set(fields) | extra_names)
    own = set(fields)

    @st.composite
    def build(draw):
        data = []
        mostly_valid = draw(st.booleans())
        for name in known:
            spoil = draw(st.integers(0, 9)) == 0
            if mostly_valid and (name in own or name in plausible) and not spoil:
                if fields.get(name):
                    body, filename = draw(file_strategy(world, valid=True))
                    data.append((name, FileStorage(io.BytesIO(body), filename=filename)))
                elif name in plausible:
                    data.append((name, draw(st.sampled_from(plausible[name]))))
                continue
            if not draw(st.booleans()):
                continue
            if fields.get(name):
                for body, filename in draw(st.lists(file_strategy(), min_size=1, max_size=2)):
                    data.append((name, FileStorage(io.BytesIO(body), filename=filename,
                                                   content_type="application/octet-stream")))
            else:
                for value in draw(st.lists(values, min_size=1, max_size=3)):
                    data.append((name, value))
        for name, value in draw(st.lists(st.tuples(st.text(min_size=1, max_size=20), values), max_size=3)):
            data.append((name, value))
        return data

    return build()


def _clean(value):
    """Werkzeug's test client cannot put lone surrogates on the wire; anything else goes."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


# ---- the protected snapshot -----------------------------------------------------------------------

VOLATILE = {"last_login_at", "updated_at"}


def _rows(session, model, *criteria) -> list[tuple]:
    table = model.__table__
    columns = [c for c in table.columns if c.name not in VOLATILE]
    return [tuple(row) for row in session.execute(select(*columns).where(*criteria).order_by(table.c.id))]


def snapshot(session, world: World) -> dict:
    """Every row that belongs to producer B or buyer B (plain Core selects: this runs after every example)."""
    b_orders = select(Order.id).where(Order.buyer_id == world.buyer_b_id).scalar_subquery()
    b_parts = select(SellerOrder.id).where(SellerOrder.order_id.in_(b_orders)).scalar_subquery()
    b_products = select(Product.id).where(Product.seller_id == world.seller_b_id).scalar_subquery()
    snap = {
        "users": _rows(session, User, User.id.in_(world.protected_user_ids)),
        "seller": _rows(session, SellerProfile, SellerProfile.id == world.seller_b_id),
        "products": _rows(session, Product, Product.seller_id == world.seller_b_id),
        "product_tags": sorted(tuple(row) for row in session.execute(
            select(product_tags).where(product_tags.c.product_id.in_(b_products)))),
        "photos": _rows(session, ProductImage, ProductImage.product_id.in_(b_products)),
        "delivery": _rows(session, DeliverySettings, DeliverySettings.seller_id == world.seller_b_id),
        "orders": _rows(session, Order, Order.id.in_(b_orders)),
        "parts": _rows(session, SellerOrder, SellerOrder.id.in_(b_parts)),
        "seller_b_parts": _rows(session, SellerOrder, SellerOrder.seller_id == world.seller_b_id),
        "lines": _rows(session, OrderLine, OrderLine.seller_order_id.in_(b_parts)),
        "payments": _rows(session, Payment, Payment.order_id.in_(b_orders)),
        "cart": _rows(session, CartItem, CartItem.user_id == world.buyer_b_id),
        "ledger": _rows(session, LedgerEntry, LedgerEntry.seller_id == world.seller_b_id),
        "payouts": _rows(session, Payout, Payout.seller_id == world.seller_b_id),
        "offline_sales": _rows(session, OfflineSale, OfflineSale.seller_id == world.seller_b_id),
    }
    session.rollback()
    return snap


def assert_unchanged(before: dict, after: dict, context: str) -> None:
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, f"{context} changed another user's data: {changed}\nbefore={before}\nafter={after}"


# ---- the deterministic sweep of id-like fields ---------------------------------------------------------

# Numbers a database id column cannot hold (PostgreSQL integer, then SQLite's 64 bits) and a digit
# that str.isdigit() accepts but int() refuses: each is tried in every id-like field, the rest valid.
TAMPERED_NUMBERS = ["2147483648", "9223372036854775808", "²"]
ID_LIKE = {"page", "tags", "cohorts", "category", "cohort", "training_type", "penjual", "acara", "jenis", "quantity",
           "stock_seen", "position", "rating"}


def sweep_numbers(session, client, method, url, world, fields, extra, before, context) -> None:
    plausible = plausible_values(world)
    names = sorted(set(fields) | extra)
    base = {name: plausible[name][0] for name in names if name in plausible and not fields.get(name)}
    for name in names:
        if fields.get(name) or not (name in ID_LIKE or name.endswith(("_id", "_ids"))):
            continue
        for number in TAMPERED_NUMBERS:
            data = {**base, name: number}
            if method == "POST":
                response = request_or_500(client, "POST", url, data=data)
            else:
                response = request_or_500(client, "GET", url, query_string=data)
            assert response.status_code < 500, f"{context}: {name}={number!r} answered {response.status_code}"
    assert_unchanged(before, snapshot(session, world), context)


# ---- running one endpoint --------------------------------------------------------------------------

def client_for(app, world: World, role: str):
    client = app.test_client()
    if role != ANONYMOUS:
        login(client, world.users[role])
    return client


PREPARE = {
    # The delivery step needs the contact step in the session first.
    "orders.checkout_delivery": lambda client: client.post("/pesanan/checkout", data={
        "name": "Sri Pembeli", "email": "sri@example.id", "phone": "081234567890", "region": "35.05",
        "street": "Jl. Melati 1"}),
}


# Server-side statuses that are an endpoint's documented answer, not a failure: the readiness probe
# says 503 when the schema is behind the newest migration (a migration added while the tests run).
DESIGNED_5XX = {"health.readyz": {503}}


def request_or_500(client, method: str, url: str, **kwargs):
    """The response, with an exception inside the app reported as a 500 (TESTING propagates them)."""
    try:
        response = client.open(url, method=method, **kwargs)
        response.get_data()   # streamed bodies (feeds, sitemaps, CSV) fail only while they are read
        return response
    except Exception as exc:   # noqa: BLE001 - any exception is the server error we hunt
        raise AssertionError(f"{method} {url} raised {type(exc).__name__}: {exc}") from exc


def _is_refused(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code in (401, 403) or "/akun/masuk" in location


def fuzz(app, session, rule, method: str, *, world: World | None = None,
         max_examples: int | None = None) -> list[bool]:
    """Run the examples against one endpoint; returns, per example, whether the role gate refused it."""
    world = world or build_world(session)
    role = role_for(rule)
    client = client_for(app, world, role)
    if rule.endpoint in PREPARE:
        PREPARE[rule.endpoint](client)
    def url_with(choice_of_any=None) -> str:
        with app.test_request_context():
            return url_for(rule.endpoint, **url_values(rule, world, choice_of_any))

    url = url_with()
    any_names = [name for name in rule.arguments if isinstance(rule._converters.get(name), AnyConverter)]
    fields: dict[str, bool] = {}
    if method == "POST":
        if rule.endpoint in FORMS:
            fields.update(form_fields(FORMS[rule.endpoint]))
        if "GET" in rule.methods:
            page = client.get(url)
            fields.update(page_fields(page.get_data(as_text=True)))
        extra = FORM_NAMES_READ | {f"delivery-{world.ids['seller_a']}", f"completed_{world.ids['cohort']}"}
    else:
        extra = QUERY_NAMES
    fields.pop("csrf_token", None)
    before = snapshot(session, world)
    sweep_numbers(session, client, method, url, world, fields, extra, before, f"{method} {url} as {role}")
    statuses: list[bool] = []   # per example: was it refused at the role gate?

    @settings(PROFILE, max_examples=max_examples or PROFILE.max_examples)
    @given(payload=payload_strategy(world, fields, extra), data_strategy=st.data())
    def run(payload, data_strategy):
        url = url_with(lambda items: data_strategy.draw(st.sampled_from(items))) if any_names else url_with()
        data = MultiDict([(_clean(k), _clean(v)) for k, v in payload])
        if method == "POST":
            response = request_or_500(client, "POST", url, data=data, content_type="multipart/form-data")
        else:
            response = request_or_500(client, "GET", url, query_string=data)
        assert response.status_code < 500 or response.status_code in DESIGNED_5XX.get(rule.endpoint, ()), \
            f"{method} {url} answered {response.status_code} for {payload!r}"
        statuses.append(_is_refused(response))
        assert_unchanged(before, snapshot(session, world), f"{method} {url} as {role} with {payload!r}")

    run()
    return statuses


# ---- the tests ------------------------------------------------------------------------------------

def test_every_post_route_has_its_url_parameters_provided():
    missing = {rule.rule: missing_params(rule) for rule in POST_RULES if missing_params(rule)}
    assert not missing, f"add a provider to URL_PARAMS for: {missing}"


def test_every_get_route_is_fuzzed_or_listed_as_left_out():
    unexplained = [rule.rule for rule in RULES if "GET" in rule.methods and missing_params(rule)
                   and rule.endpoint not in GET_NOT_FUZZED]
    assert not unexplained, f"add URL_PARAMS providers or list in GET_NOT_FUZZED: {unexplained}"


def test_the_field_tables_name_real_endpoints():
    endpoints = {rule.endpoint for rule in RULES}
    assert not (set(FORMS) | set(ROLE_OVERRIDES) | set(GET_NOT_FUZZED)) - endpoints


@pytest.mark.parametrize("rule", [r for r in POST_RULES if r.endpoint != "orders.stripe_webhook"],
                         ids=lambda r: r.endpoint)
def test_post_endpoint_survives_fuzzing(app, session, rule):
    refused = fuzz(app, session, rule, "POST")
    # The role reached the view: the fuzz tested validation, not only the login gate.
    assert not all(refused), f"{rule.endpoint} sent every example to the login page or answered 403"


GET_RULES = [r for r in RULES if "GET" in r.methods and r.endpoint not in GET_NOT_FUZZED and not missing_params(r)]
# Views that parse their query string: fuzzed harder than the rest.
PARSING_GETS = {"catalog.products", "catalog.search_results", "catalog.suggest", "catalog.category", "catalog.home",
                "catalog.feed_google", "catalog.feed_csv", "admin.indicators", "admin.indicator_sellers",
                "admin.indicator_seller", "admin.indicators_export", "admin.indicators_transactions",
                "admin.producers", "admin.products", "admin.audit_log", "admin.offline_sale_new",
                "admin.cohort_new", "sellers.sales", "verification.lookup", "auth.login"}


@pytest.mark.parametrize("rule", [r for r in GET_RULES if r.endpoint in PARSING_GETS], ids=lambda r: r.endpoint)
def test_query_parsing_endpoint_survives_fuzzing(app, session, rule):
    fuzz(app, session, rule, "GET")


def test_every_other_get_endpoint_survives_query_string_fuzzing(app, session):
    """The remaining pages, a few examples each on one shared world (GETs change nothing of B's)."""
    world = build_world(session)
    for rule in GET_RULES:
        if rule.endpoint not in PARSING_GETS:
            fuzz(app, session, rule, "GET", world=world, max_examples=5)


# ---- the Stripe webhook -------------------------------------------------------------------------------

def _signed(body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@pytest.fixture
def webhook_secret(app):
    saved = app.config.get("STRIPE_WEBHOOK_SECRET")
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    yield
    app.config["STRIPE_WEBHOOK_SECRET"] = saved


def test_stripe_webhook_rejects_random_bodies_and_signatures_with_400(app, session, webhook_secret):
    world = build_world(session)
    before = snapshot(session, world)
    client = app.test_client()
    signatures = st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["", "t=", "v1=", "t=1,v1=00",
                                                                             "t=abc,v1=zz", "t=99999999999999999999,v1=a"]),
                           st.binary(max_size=40).map(lambda b: f"t={int(time.time())},v1={b.hex()}"))

    @settings(PROFILE, max_examples=max(PROFILE.max_examples, 50))
    @given(body=st.one_of(st.binary(max_size=500), st.text(max_size=200).map(str.encode)), signature=signatures)
    def run(body, signature):
        # Werkzeug refuses CR/LF in header values before the request leaves the test client.
        headers = {} if signature is None else {"Stripe-Signature": re.sub(r"[\r\n]", "", _clean(signature))}
        response = request_or_500(client, "POST", "/pesanan/stripe/webhook", data=body, headers=headers,
                                  content_type="application/json")
        assert response.status_code == 400, (response.status_code, body, signature)
        assert_unchanged(before, snapshot(session, world), "the Stripe webhook")

    run()


def _json_containers(children):
    return st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)


_json_values = st.recursive(st.none() | st.booleans() | st.integers(-(10 ** 20), 10 ** 20) | st.text(max_size=20),
                            _json_containers, max_leaves=10)


def test_stripe_webhook_with_valid_signature_and_odd_events_never_fails(app, session, webhook_secret):
    """Bodies signed with the right secret but with odd shapes: never a 500, B's data untouched."""
    world = build_world(session)
    before = snapshot(session, world)
    client = app.test_client()
    intents = st.sampled_from(["", "pi_unknown", None, 5, ["pi"], {"x": 1}])
    event = st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.text(max_size=90), st.integers(), st.none()),
        "object": st.sampled_from(["event", "x", None]),
        "type": st.sampled_from(["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded",
                                 "x", None, 7]),
        "created": st.one_of(st.integers(-(10 ** 20), 10 ** 20), st.text(max_size=10), st.none()),
        "data": st.one_of(_json_values, st.fixed_dictionaries({"object": st.fixed_dictionaries({}, optional={
            "object": st.sampled_from(["payment_intent", "charge", None]), "id": intents, "payment_intent": intents,
            "amount": _json_values, "amount_refunded": _json_values})})),
    })

    @settings(PROFILE, max_examples=max(PROFILE.max_examples, 50))
    @given(body=st.one_of(event, _json_values))
    def run(body):
        raw = json.dumps(body).encode()
        response = request_or_500(client, "POST", "/pesanan/stripe/webhook", data=raw,
                                  headers={"Stripe-Signature": _signed(raw)}, content_type="application/json")
        assert response.status_code < 500, (response.status_code, body)
        assert_unchanged(before, snapshot(session, world), "the Stripe webhook")

    run()


def test_the_snapshot_sees_a_change_to_another_users_data(session):
    """The check itself can fail: a changed price of B's product is reported."""
    world = build_world(session)
    before = snapshot(session, world)
    product = session.scalar(select(Product).where(Product.seller_id == world.seller_b_id))
    product.price += 1
    session.commit()
    with pytest.raises(AssertionError, match="products"):
        assert_unchanged(before, snapshot(session, world), "a direct edit")


# ---- regressions for what the fuzzing found ---------------------------------------------------------

def test_checkout_ignores_a_form_part_without_a_name(app, session, buyer, buyer_client):
    """A multipart part with no name (key None) once crashed the delivery step with a 500."""
    seller = factories.make_seller(session)
    factories.set_delivery(session, seller)
    product = factories.make_product(session, seller=seller)
    buyer_client.post("/pesanan/keranjang/tambah", data={"product_id": product.id, "quantity": 1})
    buyer_client.post("/pesanan/checkout", data={"name": "Sri", "email": "sri@example.id",
                                                 "phone": "081234567890", "region": "35.05"})
    boundary = "fuzz"
    parts = [("", "nameless"), (f'; name="delivery-{seller.id}"', "pickup"), ('; name="payment_method"', "transfer"),
             ('; name="action"', "place")]
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data{name}\r\n\r\n{value}\r\n"
                   for name, value in parts) + f"--{boundary}--\r\n"

    response = buyer_client.post("/pesanan/checkout/pengiriman", data=body.encode(),
                                 content_type=f"multipart/form-data; boundary={boundary}")

    assert response.status_code == 303
    assert session.scalar(select(Order).where(Order.buyer_id == buyer.id)) is not None


@pytest.mark.parametrize("event", [
    None, [], "text", 5, {"data": {"object": ["x"]}},
    {"id": "evt_" + "x" * 100, "type": "payment_intent.succeeded"},
    {"id": "evt_1", "type": "payment_intent.succeeded", "created": "yesterday"},
    {"id": "evt_2", "type": "payment_intent.succeeded", "created": 10 ** 12},
    {"id": 7, "type": "payment_intent.succeeded"},
    {"id": "evt_3", "type": "charge.refunded",
     "data": {"object": {"object": "charge", "payment_intent": "pi_1", "amount_refunded": "lots"}}},
    {"id": "evt_4", "type": "payment_intent.succeeded", "data": {"object": {"object": "payment_intent", "id": 12}}},
], ids=repr)
def test_signed_webhook_bodies_not_shaped_like_an_event_get_400(app, client, session, webhook_secret, event):
    """Correctly signed, but not a Stripe event: 400 and nothing stored (once a 500 or a database error)."""
    from marketplace.models import StripeEvent

    raw = json.dumps(event).encode()
    response = client.post("/pesanan/stripe/webhook", data=raw, content_type="application/json",
                           headers={"Stripe-Signature": _signed(raw)})

    assert response.status_code == 400
    assert session.scalar(select(StripeEvent.id)) is None


def test_out_of_range_ids_and_odd_digits_get_4xx(app, session):
    """Ids an id column cannot hold, and digits that isdigit() accepts but int() refuses ("²"),
    once crashed these views (database overflow or ValueError) instead of a 4xx."""
    from marketplace.admin.forms import optional_int

    assert optional_int("2147483648") == -1 and optional_int("-2147483648") == -1 and optional_int("12") == 12
    world = build_world(session)
    cases = [
        (SELLER_ROLE, "POST", "/pesanan/keranjang/tambah", {"product_id": "9223372036854775808", "quantity": "1"}),
        (BUYER, "POST", "/pesanan/keranjang/tambah", {"product_id": "²", "quantity": "1"}),
        (BUYER, "POST", "/pesanan/keranjang/hapus", {"product_id": "2147483648"}),
        (BUYER, "POST", "/pesanan/keranjang/hapus", {"product_id": "¹²"}),
        (ANONYMOUS, "GET", "/produk?page=²", None),
        (OFFICER_ROLE, "POST", "/petugas/kategori/baru", {"name_id": "Tas", "name_en": "Bags",
                                                           "parent_id": "2147483648"}),
        (OFFICER_ROLE, "POST", "/petugas/pelatihan/angkatan/baru", {
            "training_type_id": "9223372036854775808", "name": "Angkatan 9", "start_date": "2025-01-01",
            "end_date": "2025-01-02"}),
        (OFFICER_ROLE, "POST", "/petugas/pembayaran/batch", {"seller_ids": "9223372036854775808"}),
        (OFFICER_ROLE, "GET", "/petugas/produk?page=9223372036854775808", None),
        (SELLER_ROLE, "GET", "/penjual/saldo?page=9223372036854775808", None),
        (SELLER_ROLE, "POST", "/penjual/penjualan-pasar/baru", {
            "sale_date": date.today().isoformat(), "value": "10.000", "product_id": "2147483648"}),
        (SELLER_ROLE, "POST", "/penjual/produk/baru", {"name": "Tas", "price": "1.000", "stock": "1", "tags": "²"}),
        (SELLER_ROLE, "POST", "/penjual/produk/baru", {"name": "Tas", "price": "1.000", "stock": "1",
                                                       "category_id": "①"}),
        (APPLICANT, "POST", "/penjual/daftar-toko/program", {"in_programme": "yes", "cohorts": "²"}),
        (OFFICER_ROLE, "GET", "/petugas/indikator?category=2147483648", None),
    ]
    failures = []
    for role, method, url, data in cases:
        client = client_for(app, world, role)
        response = request_or_500(client, method, url, data=data)
        if not 300 <= response.status_code < 500:
            failures.append((method, url, data, response.status_code))
    assert not failures
