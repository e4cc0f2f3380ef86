"""Journey in a real browser, at a 360x640 phone screen: a guest buyer checks out a producer's product
for pickup and pays by bank transfer, sending a photo of the transfer receipt from the phone; the
producer sees the receipt and confirms the money arrived; an officer then finds the sale counted on
the programme indicators dashboard.

Everything a person does happens in the pages, in Indonesian (the site's default language), with
CSRF protection on as in production. The producer, the product and the officer come from factories.
"""
from __future__ import annotations

import re

import pytest

from marketplace.models import EntryKind, LedgerEntry, Order, OrderStatus, PartStatus, PaymentMethod, PaymentStatus
from tests import factories
from tests.browser import loaded_width, log_in, open_menu_link, screenshot

pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
from playwright.sync_api import expect  # noqa: E402

PRODUCER_EMAIL = "lestari@example.id"
OFFICER_EMAIL = "petugas@dinas.example.id"
PRODUCT = "Tikar Pandan Besar"


def test_guest_pays_by_transfer_with_a_receipt_photo_and_the_sale_reaches_the_indicators(
        live_server, phone, axe, session, tmp_path):
    producer_user = factories.make_user(session, email=PRODUCER_EMAIL, name="Ibu Lestari")
    shop = factories.make_seller(session, shop_name="Anyaman Bu Lestari", user=producer_user,
                                 kecamatan_code="35.05.10")
    factories.set_delivery(session, shop, pickup=True)
    factories.make_product(session, seller=shop, name=PRODUCT, price=150_000, stock=5)
    factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Dinas", email=OFFICER_EMAIL)
    session.rollback()  # end the test's read transaction: the server's threads write from here on
    receipt = tmp_path / "bukti-transfer.jpg"
    receipt.write_bytes(factories.photo_bytes(900, 1200))

    # ---- a guest finds the mat and puts it in the cart ------------------------------------------
    buyer = phone()
    buyer.goto(live_server + "/")
    box = buyer.get_by_label("Cari produk")
    box.fill("tikar")
    box.press("Enter")
    buyer.locator(".product-card").filter(has_text=PRODUCT).get_by_role("link").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    buyer.get_by_role("button", name="Masukkan keranjang").click()
    expect(buyer.locator(".flashes")).to_contain_text("Sudah masuk keranjang.")
    buyer.get_by_role("link", name=re.compile("^Keranjang")).click()
    expect(buyer.locator("main")).to_contain_text("Rp 150.000")
    buyer.get_by_role("link", name="Checkout").click()

    # ---- checkout as a guest: contact, region only (pickup), then transfer ------------------------
    buyer.get_by_label("Nama Anda").fill("Dewi Anggraini")
    buyer.get_by_label("Email", exact=True).fill("dewi@example.id")
    buyer.get_by_label("Nomor WhatsApp").fill("0813-5555-1234")
    buyer.get_by_label("Daerah tujuan").select_option(label="Kota Blitar")
    axe.check(buyer)
    screenshot(buyer, "transfer-01-checkout-contact")
    buyer.get_by_role("button", name="Lanjut").click()

    expect(buyer.get_by_role("heading", level=1)).to_have_text("Pengiriman dan pembayaran")
    expect(buyer.get_by_role("radio", name=re.compile("^Ambil di tempat penjual"))).to_be_checked()
    buyer.get_by_role("radio", name=re.compile("^Transfer bank")).check()
    expect(buyer.locator(".order-summary")).to_contain_text("Rp 150.000")
    axe.check(buyer)
    screenshot(buyer, "transfer-02-delivery-and-payment")
    buyer.get_by_role("button", name="Buat pesanan").click()

    # ---- the order page: the exact amount with its unique code, and the receipt upload ----------
    expect(buyer.locator(".flashes")).to_contain_text("Terima kasih! Pesanan Anda")
    session.expire_all()
    order = session.query(Order).one()
    order_id, number, total, token = order.id, order.number, order.total, order.access_token
    assert order.payment_method == PaymentMethod.TRANSFER
    session.rollback()
    assert 150_001 <= total <= 150_999
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Pesanan {number}")
    expect(buyer.locator(".amount-to-pay")).to_have_text("Rp " + f"{total:,}".replace(",", "."))
    expect(buyer.locator("main > p > .badge").first).to_have_text("Menunggu pembayaran")
    axe.check(buyer)
    screenshot(buyer, "transfer-03-order-awaiting-transfer")
    buyer.get_by_label("Sudah bayar? Unggah foto bukti transfer (tidak wajib)").set_input_files(receipt)
    buyer.get_by_role("button", name="Kirim bukti").click()
    expect(buyer.locator(".flashes")).to_contain_text("Bukti transfer diterima.")
    expect(buyer.locator(".payment-box")).to_contain_text("Bukti transfer Anda sudah kami terima.")
    axe.check(buyer)
    screenshot(buyer, "transfer-04-receipt-sent")

    # ---- the producer sees the receipt and confirms the money arrived -------------------------
    producer = phone()
    log_in(producer, live_server, PRODUCER_EMAIL)
    open_menu_link(producer, "Toko saya")
    producer.locator(".actions").get_by_role("link", name="Pesanan", exact=True).click()
    producer.get_by_role("link", name=number).click()
    expect(producer.get_by_role("heading", level=1)).to_have_text(f"Pesanan {number}")
    receipt_image = producer.get_by_role("img", name="Bukti transfer")
    assert loaded_width(receipt_image) > 0
    axe.check(producer)
    screenshot(producer, "transfer-05-producer-sees-receipt")
    # Confirming the transfer is the one way on: no button moves the order on without the payment.
    expect(producer.get_by_role("button", name="Tandai sudah dibayar")).to_have_count(0)
    producer.get_by_role("button", name="Uangnya sudah masuk: konfirmasi pembayaran").click()
    expect(producer.locator(".flashes")).to_contain_text("Transfer dikonfirmasi. Pesanan sudah lunas.")
    expect(producer.get_by_role("button", name="Uangnya sudah masuk: konfirmasi pembayaran")).to_have_count(0)
    axe.check(producer)

    # The buyer's order page now says it is paid.
    buyer.goto(f"{live_server}/pesanan/o/{token}")
    expect(buyer.locator("main > p > .badge").first).to_have_text("Lunas")
    expect(buyer.locator(".payment-box")).to_have_count(0)

    # ---- the officer finds the sale on the programme indicators (this month by default) ----------
    officer = phone()
    log_in(officer, live_server, OFFICER_EMAIL)
    open_menu_link(officer, "Program")
    officer.get_by_role("link", name="Indikator program").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Indikator program")
    expect(officer.get_by_label("Periode")).to_have_value("this_month")
    expect(officer.locator("#indicator-gmv td").first).to_have_text("Rp 150.000")
    expect(officer.locator("#indicator-gmv_online td").first).to_have_text("Rp 150.000")
    expect(officer.locator("#indicator-transactions td").first).to_have_text("1")
    expect(officer.locator("#indicator-orders td").first).to_have_text("1")
    expect(officer.locator("#indicator-sellers_active td").first).to_have_text("1")
    axe.check(officer)
    screenshot(officer, "transfer-06-officer-indicators")

    axe.assert_clean()

    # ---- what the pages showed is what the database holds --------------------------------------
    session.expire_all()
    order = session.get(Order, order_id)
    assert order.status == OrderStatus.PAID
    transfer = next(p for p in order.payments if p.method == PaymentMethod.TRANSFER)
    assert transfer.receipt_image_id is not None
    sale = session.query(LedgerEntry).filter_by(kind=EntryKind.SALE).one()
    assert sale.gross == 150_000
    session.rollback()


def test_a_producer_cannot_move_an_unpaid_transfer_order_on_without_confirming_the_payment(
        session, seller, seller_client):
    """Moving the part to "new" by hand left the order unpaid: no payment, no ledger entry, no sale
    in the programme's figures. Only the transfer confirmation may do it."""
    factories.set_delivery(session, seller, pickup=True)
    product = factories.make_product(session, seller=seller, price=150_000)
    order = factories.place_order(session, [(product, 1)], payment="transfer")
    part_id, order_id = order.parts[0].id, order.id
    page = seller_client.get(f"/pesanan/penjual/{part_id}").get_data(as_text=True)
    assert 'name="to" value="new"' not in page
    assert seller_client.post(f"/pesanan/penjual/{part_id}/langkah", data={"to": "new"}).status_code == 400
    order = session.get(Order, order_id)
    assert (order.status, order.parts[0].status) == (OrderStatus.AWAITING_PAYMENT, PartStatus.AWAITING_PAYMENT)
    assert seller_client.post(f"/pesanan/penjual/{part_id}/transfer").status_code == 303
    session.expire_all()
    order = session.get(Order, order_id)
    assert (order.status, order.parts[0].status) == (OrderStatus.PAID, PartStatus.NEW)
    assert [payment.status for payment in order.payments] == [PaymentStatus.SUCCEEDED]
    assert session.query(LedgerEntry).filter_by(kind=EntryKind.SALE).one().gross == 150_000
