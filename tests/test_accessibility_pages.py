"""Accessibility of the main pages in a real browser at a 360x640 phone screen, beyond what axe-core
checks by itself:

- keyboard only: on the log-in form, the cart and the checkout, every field and the submit button are
  reached with Tab, the form is sent with Enter, and the person lands where expected; every element
  that takes focus on the way shows it (an outline or a box shadow on :focus-visible);
- tap targets: every visible link, button and form control on the main pages (home, listing, product,
  cart, checkout, log-in, producer's dashboard and sales, officer's dashboard and indicators, the
  public statement check) is at least 24x24 CSS px
  (WCAG 2.2 AA 2.5.8, target size minimum; links inline in a sentence are exempt, as WCAG allows);
- no page scrolls sideways at 360 px;
- axe-core on every page, including its colour-contrast rule.

CSRF protection is on, as in production; the data comes from factories.
"""
from __future__ import annotations

import re

import pytest

from marketplace.models import Order, PaymentMethod, Product
from tests import factories
from tests.browser import log_in, screenshot

pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
from playwright.sync_api import expect  # noqa: E402

MIN_TARGET = 24        # CSS px, WCAG 2.2 SC 2.5.8
PHONE_WIDTH = 360
MAX_TABS = 60

# What has focus now, described for messages, and whether its focus is visible.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadowed = style.boxShadow && style.boxShadow !== 'none';
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 40);
  return {tag: el.tagName.toLowerCase(), id: el.id, type: el.getAttribute('type') || '', name: name,
          visible: outlined || shadowed, focusVisible: el.matches(':focus-visible')};
}"""

# Visible links, buttons and form controls smaller than the minimum target size. A link shown inline
# in a paragraph or list item's text is exempt (WCAG 2.5.8 "inline" exception).
_SMALL_TARGETS = """(minimum) => {
  const found = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;   // not shown
    if (box.right <= 0 || box.bottom <= 0) continue;          // parked off screen (the skip link)
    if (el.closest('.visually-hidden')) continue;
    const parent = el.parentElement ? el.parentElement.tagName : '';
    if (el.tagName === 'A' && style.display === 'inline' && (parent === 'P' || parent === 'LI')) continue;
    if (box.width < minimum || box.height < minimum) {
      const name = (el.getAttribute('aria-label') || el.innerText || el.name || el.id || '').trim().slice(0, 40);
      found.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${name}" ` +
                 `${Math.round(box.width * 10) / 10}x${Math.round(box.height * 10) / 10}`);
    }
  }
  return found;
}"""


def tab_until(page, matches, what: str) -> list[dict]:
    """Press Tab until the focused element satisfies `matches(info)`; return every element passed.
    Fails when `what` is not reached, or when any element on the way hides its focus."""
    passed = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        info = page.evaluate(_FOCUSED)
        assert info is not None, f"focus left the page before reaching {what}"
        passed.append(info)
        assert info["visible"], f"focus is not visible on {info} ({page.url})"
        if matches(info):
            return passed
    raise AssertionError(f"{what} not reached with {MAX_TABS} presses of Tab; passed {passed}")


def is_field(field_id: str):
    return lambda info: info["id"] == field_id


def is_button(name: str):
    return lambda info: info["tag"] == "button" and info["name"] == name


def is_link(name: str):
    return lambda info: info["tag"] == "a" and info["name"] == name


def check_layout(page, axe, name: str) -> None:
    """Tap targets, no sideways scrolling, axe; and a screenshot for people."""
    small = page.evaluate(_SMALL_TARGETS, MIN_TARGET)
    assert not small, f"targets smaller than {MIN_TARGET}x{MIN_TARGET} px on {page.url}: {small}"
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width} px wide"
    axe.check(page)
    screenshot(page, f"a11y-{name}")


@pytest.fixture
def shop(session):
    """A producer with a product in stock (with a photo), delivering inside Blitar or for pickup."""
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri", kecamatan_code="35.05.10",
                                   user=factories.make_user(session, email="sri@example.id", name="Sri Wahyuni"))
    factories.set_delivery(session, seller, pickup=True, local_fee=8_000)
    category = factories.make_category(session, name_id="Tas dan dompet", name_en="Bags and purses")
    bag = factories.make_product(session, seller=seller, category=category, name="Tas Anyaman Plastik",
                                 price=75_000, stock=10)
    factories.add_product_image(session, bag)
    factories.make_product(session, seller=seller, name="Dompet Anyaman", price=25_000, stock=0)
    return {"slug": bag.slug, "email": "sri@example.id"}


def test_log_in_with_the_keyboard_only(live_server, phone, axe, session, shop):
    session.rollback()
    page = phone()
    page.goto(live_server + "/akun/masuk")
    tab_until(page, is_field("email"), "the e-mail field")
    page.keyboard.type(shop["email"])
    tab_until(page, is_field("password"), "the password field")
    page.keyboard.type(factories.PASSWORD)
    tab_until(page, is_field("remember"), "the remember-me box")
    page.keyboard.press("Space")
    expect(page.get_by_label("Tetap masuk di HP ini")).to_be_checked()
    tab_until(page, is_button("Masuk"), "the log-in button")
    axe.check(page)
    screenshot(page, "a11y-keyboard-login")
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("Selamat datang kembali")
    expect(page.get_by_role("heading", level=1)).to_have_text("Langsung dari produsen Blitar")
    tab_until(page, lambda info: info["tag"] == "summary" and info["name"] == "Menu", "the menu")
    page.keyboard.press("Enter")                  # the menu opens from the keyboard, and shows the account
    expect(page.locator("details.menu nav").get_by_role("link", name="Toko saya")).to_be_visible()
    axe.assert_clean()


def test_cart_and_checkout_with_the_keyboard_only(live_server, phone, axe, session, shop):
    session.rollback()
    page = phone()
    page.goto(f"{live_server}/produk/{shop['slug']}")
    tab_until(page, is_field("quantity"), "the quantity field")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")       # the add-to-cart form is sent from its quantity field
    expect(page.locator(".flashes")).to_contain_text("Sudah masuk keranjang.")
    expect(page.locator(".cart-link .badge")).to_have_text("3")

    # The cart: change the quantity, then on to the checkout.
    tab_until(page, lambda info: info["tag"] == "a" and info["name"].startswith("Keranjang"), "the cart link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Keranjang Anda")
    quantity_id = page.locator(".cart-line input[type=number]").get_attribute("id")
    tab_until(page, is_field(quantity_id), "the cart's quantity field")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    tab_until(page, is_button("Perbarui"), "the update button")
    page.keyboard.press("Enter")
    expect(page.locator(".cart-link .badge")).to_have_text("2")
    expect(page.locator(".cart-part")).to_contain_text("Rp 150.000")
    check_layout(page, axe, "keyboard-cart")
    tab_until(page, is_link("Checkout"), "the checkout link")
    page.keyboard.press("Enter")

    # Checkout, first step: every field in order, then Enter on the button.
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    for field_id, text in (("name", "Dewi Anggraini"), ("email", "dewi@example.id"), ("phone", "0813-5555-1234")):
        tab_until(page, is_field(field_id), f"the {field_id} field")
        page.keyboard.type(text)
    tab_until(page, is_field("region"), "the region list")
    page.keyboard.type("Kabupaten")          # a closed list picks the option typed
    expect(page.get_by_label("Daerah tujuan")).to_have_value("35.05")
    for field_id, text in (("regency_name", ""), ("kecamatan", "Kanigoro"), ("desa", "Satreyan"),
                           ("street", "Jl. Mawar 3"), ("postal_code", "66171")):
        tab_until(page, is_field(field_id), f"the {field_id} field")
        page.keyboard.type(text)
    tab_until(page, is_button("Lanjut"), "the continue button")
    check_layout(page, axe, "keyboard-checkout-contact")
    page.keyboard.press("Enter")

    # Second step: delivery (arrow keys move within a radio group), payment, then place the order.
    expect(page.get_by_role("heading", level=1)).to_have_text("Pengiriman dan pembayaran")
    tab_until(page, lambda info: info["type"] == "radio" and info["id"].startswith("delivery-"),
              "the delivery choice")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=re.compile("^Diantar penjual di dalam Blitar"))).to_be_checked()
    tab_until(page, lambda info: info["type"] == "radio" and info["id"].startswith("pay-"), "the payment choice")
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name=re.compile("^Transfer bank"))).to_be_checked()
    tab_until(page, is_button("Buat pesanan"), "the place-order button")
    check_layout(page, axe, "keyboard-checkout-delivery")
    page.keyboard.press("Enter")

    expect(page.locator(".flashes")).to_contain_text("Terima kasih! Pesanan Anda")
    session.expire_all()
    order = session.query(Order).one()
    assert (order.payment_method, order.subtotal, order.shipping_total) == (PaymentMethod.TRANSFER, 150_000, 8_000)
    session.rollback()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pesanan {order.number}")
    axe.assert_clean()


def test_main_pages_have_big_enough_targets_and_fit_a_phone(live_server, phone, axe, session, shop):
    factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Dinas", email="petugas@dinas.example.id")
    buyer = factories.make_user(session, name="Sri Pembeli", email="pembeli@example.id")
    product = session.query(Product).filter_by(slug=shop["slug"]).one()
    factories.place_order(session, [(product, 1)], payment="transfer", buyer_user=buyer)   # a to-do for the shop
    session.rollback()

    visitor = phone()
    visitor.goto(live_server + "/")
    check_layout(visitor, axe, "home")
    visitor.goto(live_server + "/produk")
    visitor.locator("details.filters summary").click()         # the filters open, too
    check_layout(visitor, axe, "listing")
    visitor.goto(f"{live_server}/produk/{shop['slug']}")
    check_layout(visitor, axe, "product")
    visitor.get_by_role("button", name="Masukkan keranjang").click()
    visitor.goto(live_server + "/pesanan/keranjang")
    check_layout(visitor, axe, "cart")
    visitor.goto(live_server + "/pesanan/checkout")
    check_layout(visitor, axe, "checkout")
    visitor.goto(live_server + "/akun/masuk")
    check_layout(visitor, axe, "login")
    visitor.locator("details.menu summary").click()            # the open menu, too
    check_layout(visitor, axe, "menu")
    visitor.goto(live_server + "/verifikasi")
    check_layout(visitor, axe, "statement-check")

    producer = phone()
    log_in(producer, live_server, shop["email"])
    producer.goto(live_server + "/penjual/")
    expect(producer.get_by_role("heading", level=1)).to_have_text("Anyaman Bu Sri")
    check_layout(producer, axe, "producer-dashboard")
    producer.locator(".actions").get_by_role("link", name="Penjualan saya").click()
    expect(producer.get_by_role("heading", level=1)).to_have_text("Penjualan saya")
    check_layout(producer, axe, "producer-sales")

    officer = phone()
    log_in(officer, live_server, "petugas@dinas.example.id")
    officer.goto(live_server + "/petugas/")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Program")
    check_layout(officer, axe, "officer-dashboard")
    officer.goto(live_server + "/petugas/indikator")
    check_layout(officer, axe, "officer-indicators")

    axe.assert_clean()
