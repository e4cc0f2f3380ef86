"""Journeys in a real browser with JavaScript switched off, at a 360x640 phone screen: the shop must
work on old or data-saving phones. A buyer browses (home, a filtered listing, search, a product page),
fills the cart and checks out twice to the order confirmation: once paying by bank transfer, once
paying cash with delivery by the producer. CSRF protection is on, as in production.
"""
from __future__ import annotations

import re

import pytest

from marketplace.models import DeliveryMethod, Order, OrderStatus, PaymentMethod
from tests import factories
from tests.browser import PHONE, screenshot

pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def no_js_page(chromium, csrf_enabled):
    """A page in a fresh phone-sized context with JavaScript disabled."""
    context = chromium.new_context(viewport=PHONE, locale="id-ID", device_scale_factor=1, java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def market(session):
    """Two producers in different kecamatan; the bag's maker also delivers inside Blitar."""
    anyaman = factories.make_seller(session, shop_name="Anyaman Bu Sri", kecamatan_code="35.05.10")
    tani = factories.make_seller(session, shop_name="Tani Organik Garum", kecamatan_code="35.05.11")
    factories.set_delivery(session, anyaman, pickup=True, local_fee=8_000)
    factories.set_delivery(session, tani, pickup=True)
    bag = factories.make_product(session, seller=anyaman, name="Tas Anyaman Plastik", price=75_000, stock=10)
    factories.add_product_image(session, bag)
    factories.make_product(session, seller=tani, name="Beras Organik Merah", price=30_000, stock=20, unit="kg")
    session.rollback()  # end the test's read transaction: the server's threads write from here on


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def fill_contact(page, *, street: bool) -> None:
    """The first checkout step, as a guest."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    page.get_by_label("Nama Anda").fill("Dewi Anggraini")
    page.get_by_label("Email", exact=True).fill("dewi@example.id")
    page.get_by_label("Nomor WhatsApp").fill("0813-5555-1234")
    page.get_by_label("Daerah tujuan").select_option(label="Kabupaten Blitar")
    if street:
        page.get_by_label("Kecamatan").fill("Kanigoro")
        page.get_by_label("Desa / kelurahan").fill("Satreyan")
        page.get_by_label("Jalan, nomor rumah, RT/RW").fill("Jl. Mawar 3, RT 01/RW 02")
    page.get_by_role("button", name="Lanjut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pengiriman dan pembayaran")


def confirmed_order(session, page) -> Order:
    """The order the confirmation page shows, read from the database."""
    expect(page.locator(".flashes")).to_contain_text("Terima kasih! Pesanan Anda")
    heading = page.get_by_role("heading", level=1).inner_text()
    number = re.fullmatch(r"Pesanan (\S+)", heading).group(1)
    session.expire_all()
    order = session.query(Order).filter_by(number=number).one()
    session.rollback()
    return order


def test_browse_and_pay_by_transfer_without_javascript(live_server, no_js_page, market, session):
    page = no_js_page
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Langsung dari produsen Blitar")
    screenshot(page, "nojs-01-home")

    # A listing filtered by kecamatan (the filters sit in a <details>, opened without script).
    page.get_by_role("link", name="Semua produk").click()
    expect(page.locator(".grid .product-card")).to_have_count(2)
    page.locator("details.filters summary").click()
    page.locator("details.filters").get_by_label("Kecamatan").select_option(label="Garum, Kabupaten Blitar")
    page.get_by_role("button", name="Tampilkan produk").click()
    expect(page).to_have_url(re.compile(r"kecamatan=35\.05\.11"))
    expect(page.locator(".grid .product-card")).to_have_count(1)
    expect(page.locator(".grid .product-card")).to_contain_text("Beras Organik Merah")
    screenshot(page, "nojs-02-listing-filtered")

    # Search from the home page by the start of a word, then the product page.
    page.get_by_role("link", name="Pasar Lokal Blitar").click()
    box = page.get_by_label("Cari produk")
    box.fill("anyam")
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("anyam")
    results = page.locator(".grid .product-card")
    expect(results).to_have_count(1)
    results.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tas Anyaman Plastik")
    expect(page.locator("main")).to_contain_text("Rp 75.000")
    page.get_by_label("Jumlah").fill("2")
    page.get_by_role("button", name="Masukkan keranjang").click()
    expect(page.locator(".flashes")).to_contain_text("Sudah masuk keranjang.")
    expect(page.locator(".cart-link .badge")).to_have_text("2")
    screenshot(page, "nojs-03-product-added")

    # The cart: change the quantity with its own form.
    page.get_by_role("link", name=re.compile("^Keranjang")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keranjang Anda")
    page.get_by_label("Jumlah").fill("1")
    page.get_by_role("button", name="Perbarui").click()
    expect(page.locator(".cart-part")).to_contain_text("Rp 75.000")
    expect(page.locator(".cart-link .badge")).to_have_text("1")
    screenshot(page, "nojs-04-cart")
    page.get_by_role("link", name="Checkout").click()

    fill_contact(page, street=False)
    expect(page.get_by_role("radio", name=re.compile("^Ambil di tempat penjual"))).to_be_checked()
    page.get_by_role("radio", name=re.compile("^Transfer bank")).check()
    page.get_by_role("button", name="Buat pesanan").click()

    order = confirmed_order(session, page)
    assert (order.payment_method, order.status, order.subtotal) == (
        PaymentMethod.TRANSFER, OrderStatus.AWAITING_PAYMENT, 75_000)
    expect(page.locator(".amount-to-pay")).to_have_text(rupiah(order.total))
    expect(page.get_by_role("heading", name="Bayar dengan transfer bank")).to_be_visible()
    expect(page.locator(".cart-link .badge")).to_have_count(0)
    screenshot(page, "nojs-05-order-transfer")


def test_pay_cash_on_delivery_without_javascript(live_server, no_js_page, market, session):
    page = no_js_page
    page.goto(live_server + "/produk")
    page.locator(".product-card").filter(has_text="Tas Anyaman Plastik").get_by_role("link").click()
    page.get_by_role("button", name="Masukkan keranjang").click()
    expect(page.locator(".flashes")).to_contain_text("Sudah masuk keranjang.")
    page.goto(live_server + "/produk")
    page.locator(".product-card").filter(has_text="Beras Organik Merah").get_by_role("link").click()
    page.get_by_label("Jumlah").fill("3")
    page.get_by_role("button", name="Masukkan keranjang").click()
    page.get_by_role("link", name=re.compile("^Keranjang")).click()
    expect(page.locator(".cart-part")).to_have_count(2)
    page.get_by_role("link", name="Checkout").click()

    fill_contact(page, street=True)
    bag_box = page.locator("fieldset").filter(has_text="Anyaman Bu Sri")
    rice_box = page.locator("fieldset").filter(has_text="Tani Organik Garum")
    bag_box.get_by_role("radio", name=re.compile("^Diantar penjual di dalam Blitar")).check()
    expect(rice_box.get_by_role("radio", name=re.compile("^Ambil di tempat penjual"))).to_be_checked()
    page.get_by_role("radio", name="Bayar di tempat atau saat ambil").check()
    # Without script the total is recalculated by the server, with the choices kept.
    page.get_by_role("button", name="Hitung ulang total").click()
    expect(page.locator(".order-summary")).to_contain_text("Rp 173.000")   # 75.000 + 3 x 30.000 + 8.000
    expect(page.get_by_role("radio", name="Bayar di tempat atau saat ambil")).to_be_checked()
    expect(bag_box.get_by_role("radio", name=re.compile("^Diantar penjual di dalam Blitar"))).to_be_checked()
    screenshot(page, "nojs-06-cash-delivery")
    page.get_by_role("button", name="Buat pesanan").click()

    order = confirmed_order(session, page)
    assert (order.payment_method, order.total, order.shipping_total) == (PaymentMethod.CASH, 173_000, 8_000)
    assert sorted(part.delivery_method for part in order.parts) == sorted([DeliveryMethod.LOCAL, DeliveryMethod.PICKUP])
    expect(page.locator(".payment-box")).to_have_count(0)
    expect(page.locator(".order-part")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("Rp 173.000")
    screenshot(page, "nojs-07-order-cash")
