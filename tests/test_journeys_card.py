"""Journey in a real browser, at a 360x640 phone screen: a buyer finds products of two producers by
part of a word, checks out with courier delivery from one and pickup from the other, pays by card
through Stripe.js (localstripe's fake), the Stripe webhook confirms the payment, each producer
fulfils their part, and the buyer confirms receipt and reviews a product.

Everything a person does happens in the pages, in Indonesian (the site's default language), with
CSRF protection on as in production. The producers, their products and delivery options and the
buyer's account come from factories; one card step is done server-side, as explained in
`test_buyer_pays_two_producers_by_card_and_both_fulfil_their_parts`.
"""
from __future__ import annotations

import re
import time
import urllib.request

import pytest

from marketplace.models import (
    EntryKind, LedgerEntry, Order, OrderStatus, PartStatus, Payment, PaymentStatus, Review, StripeEvent,
)
from marketplace.services import payments
from tests import factories
from tests.browser import loaded_width, log_in, open_menu_link, screenshot

pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
from playwright.sync_api import expect  # noqa: E402

WEBHOOK_PATH = "/pesanan/stripe/webhook"
# Stripe's test card that asks for 3-D Secure authentication.
THREE_D_SECURE_CARD = "4000002500003155"
BOUNDED_WAIT_SECONDS = 20


def register_webhook(localstripe_url: str, live_server: str, secret: str) -> None:
    """Point localstripe's webhook at the live app, as the Stripe Dashboard does for the real one."""
    request = urllib.request.Request(
        f"{localstripe_url}/_config/webhooks/plb", method="POST",
        data=f"url={live_server}{WEBHOOK_PATH}&secret={secret}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer sk_test_plb"},
    )
    urllib.request.urlopen(request, timeout=10).read()


def card_entered_like_stripe_js(settings: payments.StripeSettings, intent_id: str) -> None:
    """What real Stripe.js does with the card typed into its element, before 3-D Secure: make a
    PaymentMethod of it, attach it to the PaymentIntent and confirm, which leaves the intent
    waiting for the authentication step (`requires_action`)."""
    client = settings.client()
    method = client.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": THREE_D_SECURE_CARD, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
    })
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    intent = client.v1.payment_intents.confirm(intent_id)
    assert intent.status == "requires_action"


def search(page, words: str) -> None:
    """Type in the home page's search box and search, as a buyer does."""
    page.get_by_role("link", name="Pasar Lokal Blitar").click()
    box = page.get_by_label("Cari produk")
    box.fill(words)
    box.press("Enter")


def wait_for_rows(session, query_fn, what: str):
    """Poll the database (another thread writes) until `query_fn()` is truthy; bounded."""
    deadline = time.monotonic() + BOUNDED_WAIT_SECONDS
    while True:
        session.expire_all()
        result = query_fn()
        session.rollback()
        if result or time.monotonic() > deadline:
            assert result, f"gave up waiting for {what}"
            return result
        time.sleep(0.2)


def fulfil_part(page, base_url: str, email: str, order_number: str, axe, steps) -> None:
    """A producer logs in, opens the order from their shop's order list and takes `steps`
    (callables on the order page) one after the other."""
    log_in(page, base_url, email, axe)
    open_menu_link(page, "Toko saya")
    expect(page.locator(".todo-list")).to_contain_text("1 pesanan menunggu")
    axe.check(page)
    page.locator(".actions").get_by_role("link", name="Pesanan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pesanan")
    axe.check(page)
    page.get_by_role("link", name=order_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pesanan {order_number}")
    axe.check(page)
    for step in steps:
        step(page)


def test_buyer_pays_two_producers_by_card_and_both_fulfil_their_parts(
        app, live_server, phone, axe, session, stripe_config, localstripe_url):
    """Card payment, with one step done server-side because of a localstripe limitation.

    localstripe's fake Stripe.js mounts stand-in inputs for the card element, but its
    `confirmCardPayment` ignores what was typed there: it only performs a 3-D Secure step (a modal
    with "Complete authentication" / "Fail authentication", then POST
    /v1/payment_intents/<id>/_authenticate), which requires the PaymentIntent to be in
    `requires_action` already. So after typing the test card into the card element, the test does
    server-side what real Stripe.js would do with that card (`card_entered_like_stripe_js`:
    a PaymentMethod for the 3-D Secure test card 4000002500003155, attached to the order's
    PaymentIntent and confirmed); then the buyer clicks pay and completes the authentication in
    the modal, and localstripe charges the card and sends the signed webhook to the live app.
    """
    anyaman_email, tani_email, buyer_email = "anyaman@example.id", "tani@example.id", "sri@example.id"
    anyaman = factories.make_seller(session, shop_name="Anyaman Bu Sri", kecamatan_code="35.05.10",
                                    user=factories.make_user(session, email=anyaman_email, name="Ibu Sri"))
    tani = factories.make_seller(session, shop_name="Tani Organik Garum", kecamatan_code="35.05.11",
                                 user=factories.make_user(session, email=tani_email, name="Pak Darmo"))
    factories.set_delivery(session, anyaman, pickup=False, courier=(10_000, 15_000, 25_000))
    factories.set_delivery(session, tani, pickup=True)
    bag = factories.make_product(session, seller=anyaman, name="Tas Anyaman Plastik", price=75_000, stock=10,
                                 weight_grams=600)
    factories.add_product_image(session, bag)
    factories.make_product(session, seller=anyaman, name="Keripik Tempe Pedas", price=12_000, stock=30)
    factories.make_product(session, seller=tani, name="Beras Organik Merah", price=30_000, stock=20, unit="kg",
                           weight_grams=1000)
    factories.make_user(session, email=buyer_email, name="Sri Rahayu", phone="+6281234567890")
    bag_id, bag_slug = bag.id, bag.slug
    settings = payments.StripeSettings.from_config(app.config)
    session.rollback()  # end the test's read transaction: the server's threads write from here on
    register_webhook(localstripe_url, live_server, stripe_config["STRIPE_WEBHOOK_SECRET"])

    # ---- the buyer logs in and finds the bag by part of a word --------------------------------
    buyer = phone()
    log_in(buyer, live_server, buyer_email, axe)
    axe.check(buyer)
    search(buyer, "anyam")
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("anyam")
    results = buyer.locator(".grid .product-card")
    # The bag's name matches; the crisps match through their producer's name, so they rank lower.
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("Tas Anyaman Plastik")
    expect(results.nth(1)).to_contain_text("Keripik Tempe Pedas")
    assert loaded_width(results.first.locator("img")) > 0
    axe.check(buyer)
    screenshot(buyer, "card-01-search-anyam")
    results.first.get_by_role("link").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Tas Anyaman Plastik")
    axe.check(buyer)
    buyer.get_by_role("button", name="Masukkan keranjang").click()
    expect(buyer.locator(".flashes")).to_contain_text("Sudah masuk keranjang.")
    screenshot(buyer, "card-02-product-added")

    # ... and the rice of the other producer ("bera" finds "Beras"), two kilos of it.
    search(buyer, "bera")
    axe.check(buyer)
    buyer.locator(".product-card").filter(has_text="Beras Organik Merah").get_by_role("link").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Beras Organik Merah")
    axe.check(buyer)
    buyer.get_by_label("Jumlah").fill("2")
    buyer.get_by_role("button", name="Masukkan keranjang").click()
    expect(buyer.locator(".flashes")).to_contain_text("Sudah masuk keranjang.")
    expect(buyer.locator(".cart-link .badge")).to_have_text("3")

    # ---- cart and checkout ----------------------------------------------------------------
    buyer.get_by_role("link", name=re.compile("^Keranjang")).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Keranjang Anda")
    expect(buyer.locator(".cart-part")).to_have_count(2)
    expect(buyer.locator("main")).to_contain_text("Rp 135.000")  # 75.000 + 2 x 30.000
    axe.check(buyer)
    screenshot(buyer, "card-03-cart")
    buyer.get_by_role("link", name="Checkout").click()

    expect(buyer.get_by_label("Nama Anda")).to_have_value("Sri Rahayu")
    buyer.get_by_label("Nomor WhatsApp").fill("0812-3456-7890")
    buyer.get_by_label("Daerah tujuan").select_option(label="Kabupaten Blitar")
    buyer.get_by_label("Kecamatan").fill("Kanigoro")
    buyer.get_by_label("Desa / kelurahan").fill("Satreyan")
    buyer.get_by_label("Jalan, nomor rumah, RT/RW").fill("Jl. Mawar 3, RT 01/RW 02")
    buyer.get_by_label("Kode pos").fill("66171")
    axe.check(buyer)
    screenshot(buyer, "card-04-checkout-address")
    buyer.get_by_role("button", name="Lanjut").click()

    expect(buyer.get_by_role("heading", level=1)).to_have_text("Pengiriman dan pembayaran")
    anyaman_box = buyer.locator("fieldset").filter(has_text="Anyaman Bu Sri")
    tani_box = buyer.locator("fieldset").filter(has_text="Tani Organik Garum")
    anyaman_box.get_by_role("radio", name=re.compile("^Kurir")).check()
    tani_box.get_by_role("radio", name=re.compile("^Ambil di tempat penjual")).check()
    buyer.get_by_role("radio", name=re.compile(r"^Kartu \(Visa, Mastercard\)")).check()
    buyer.get_by_role("button", name="Hitung ulang total").click()
    # Courier: 0.6 kg inside Blitar at Rp 10.000 per kg (a started kilo counts whole).
    expect(buyer.locator(".order-summary")).to_contain_text("Rp 145.000")
    expect(buyer.get_by_role("radio", name=re.compile(r"^Kartu \(Visa, Mastercard\)"))).to_be_checked()
    axe.check(buyer)
    screenshot(buyer, "card-05-delivery-and-payment")
    buyer.get_by_role("button", name="Buat pesanan").click()

    # ---- the card payment page --------------------------------------------------------------
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Bayar dengan kartu")
    card = buyer.locator("#card-element")
    card.get_by_placeholder("number", exact=True).press_sequentially(THREE_D_SECURE_CARD)
    card.get_by_placeholder("exp_month").press_sequentially("12")
    card.get_by_placeholder("exp_year").press_sequentially("30")
    card.get_by_placeholder("cvc").press_sequentially("123")
    card.get_by_placeholder("postal_code").press_sequentially("66171")
    axe.check(buyer)
    screenshot(buyer, "card-06-card-page")

    session.expire_all()
    order = session.query(Order).one()
    order_number, order_id, total = order.number, order.id, order.total
    intent_id = session.query(Payment).filter_by(order_id=order_id).one().stripe_payment_intent_id
    session.rollback()
    assert total == 145_000
    card_entered_like_stripe_js(settings, intent_id)

    buyer.get_by_role("button", name="Bayar Rp 145.000").click()
    buyer.get_by_role("button", name="Complete authentication").click()

    # The return page asks Stripe at once; the webhook confirms it too. Reload until paid.
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Pesanan {order_number}")
    status = buyer.locator("main > p > .badge").first
    deadline = time.monotonic() + BOUNDED_WAIT_SECONDS
    while status.inner_text() != "Lunas" and time.monotonic() < deadline:
        time.sleep(0.5)
        buyer.reload()
    expect(status).to_have_text("Lunas")
    axe.check(buyer)
    screenshot(buyer, "card-07-order-paid")
    wait_for_rows(session, lambda: session.query(StripeEvent).filter_by(
        payment_intent_id=intent_id, event_type="payment_intent.succeeded").count(), "the signed webhook")

    # ---- each producer fulfils their part -----------------------------------------------------
    def accept(page):
        page.get_by_role("button", name="Terima dan mulai mengemas").click()
        expect(page.locator(".flashes")).to_contain_text("Pesanan diperbarui.")
        expect(page.locator("main > p > .badge").first).to_have_text("Sedang dikemas")

    def send_by_courier(page):
        page.get_by_label("Kurir").select_option(label="JNE")
        page.get_by_label("Nomor resi").fill("JNE0123456789")
        axe.check(page)
        screenshot(page, "card-08-producer-ships")
        page.get_by_role("button", name="Tandai sudah dikirim").click()
        expect(page.locator("main > p > .badge").first).to_have_text("Dikirim")

    def ready_then_handed_over(page):
        page.get_by_role("button", name="Siap diambil").click()
        expect(page.locator("main > p > .badge").first).to_have_text("Siap diambil")
        axe.check(page)
        screenshot(page, "card-09-producer-ready-for-pickup")
        page.get_by_role("button", name="Tandai sudah sampai").click()
        expect(page.locator("main > p > .badge").first).to_have_text("Sudah sampai")

    anyaman_page = phone()
    fulfil_part(anyaman_page, live_server, anyaman_email, order_number, axe, [accept, send_by_courier])
    axe.check(anyaman_page)
    tani_page = phone()
    fulfil_part(tani_page, live_server, tani_email, order_number, axe, [accept, ready_then_handed_over])

    # ---- the buyer confirms receipt of both parts and reviews the bag ----------------------------
    buyer.reload()
    bag_part = buyer.locator(".order-part").filter(has_text="Anyaman Bu Sri")
    rice_part = buyer.locator(".order-part").filter(has_text="Tani Organik Garum")
    expect(bag_part).to_contain_text("JNE0123456789")
    expect(bag_part.locator(".badge").first).to_have_text("Dikirim")
    expect(rice_part.locator(".badge").first).to_have_text("Sudah sampai")
    axe.check(buyer)
    for part in (bag_part, rice_part):
        part.get_by_role("button", name="Sudah saya terima").click()
        expect(buyer.locator(".flashes")).to_contain_text("Terima kasih sudah mengonfirmasi!")
    expect(status).to_have_text("Selesai")
    screenshot(buyer, "card-10-order-completed")

    bag_part.get_by_role("link", name="Ulasan Tas Anyaman Plastik").click()
    axe.check(buyer)
    buyer.get_by_label("★★★★★ (5)").check()
    buyer.get_by_label("Ulasan Anda (tidak wajib)").fill("Tasnya kuat dan rapi, pengiriman cepat.")
    screenshot(buyer, "card-11-review")
    buyer.get_by_role("button", name="Kirim ulasan").click()
    expect(buyer.locator(".flashes")).to_contain_text("Terima kasih atas ulasan Anda!")

    # The review is on the product page, for everybody.
    visitor = phone()
    visitor.goto(live_server + "/")
    search(visitor, "tas anyaman")
    visitor.locator(".product-card").filter(has_text="Tas Anyaman Plastik").get_by_role("link").click()
    expect(visitor).to_have_url(re.compile(f"/produk/{bag_slug}$"))
    reviews = visitor.locator("section").filter(has=visitor.get_by_role("heading", name="Ulasan"))
    expect(reviews).to_contain_text("Tasnya kuat dan rapi, pengiriman cepat.")
    expect(reviews).to_contain_text("Sri")
    expect(visitor.locator(".product-info .rating")).to_have_text("Nilai 5,0 dari 5 (1 ulasan)")
    expect(visitor.locator(".product-info .stock")).to_have_text("Stok: 9 pcs")
    expect(reviews.get_by_label("5 dari 5 bintang")).to_be_visible()
    axe.check(visitor)
    screenshot(visitor, "card-12-product-with-review")

    axe.assert_clean()

    # ---- what the pages showed is what the database holds --------------------------------------
    session.expire_all()
    order = session.get(Order, order_id)
    assert order.status == OrderStatus.COMPLETED
    assert sorted(part.status for part in order.parts) == [PartStatus.COMPLETED, PartStatus.COMPLETED]
    assert [p.status for p in order.payments] == [PaymentStatus.SUCCEEDED]
    sales = {entry.seller_order_id: entry for entry in session.query(LedgerEntry).filter_by(kind=EntryKind.SALE)}
    assert {part.id: sales[part.id].gross for part in order.parts} == {
        part.id: part.subtotal + part.delivery_fee for part in order.parts}
    assert sum(entry.gross for entry in sales.values()) == 145_000
    assert session.query(Review).filter_by(product_id=bag_id, rating=5).count() == 1
    session.rollback()
