"""Producer fulfilment pages: own orders only, each step, cash, transfers, cancelling, delivery options."""
import pytest

from marketplace.models import DeliveryMethod, DeliverySettings, Order, OrderStatus, PartStatus, Product
from tests import factories
from tests.conftest import login


@pytest.fixture
def order(session, seller):
    factories.set_delivery(session, seller, local_fee=5_000, courier=(8_000, 15_000, 30_000))
    product = factories.make_product(session, seller=seller, name="Tas Anyaman", price=50_000, stock=5)
    return factories.place_order(session, [(product, 2)], payment="transfer",
                                 deliveries={seller.id: DeliveryMethod.COURIER})


def part_url(order, suffix=""):
    return f"/pesanan/penjual/{order.parts[0].id}{suffix}"


def test_producer_sees_own_orders_newest_steps_first(seller_client, order):
    page = seller_client.get("/pesanan/penjual").get_data(as_text=True)
    assert order.number in page
    assert "Tas Anyaman" in page


def test_another_producer_gets_404_on_every_order_route(app, session, order, other_seller):
    client = app.test_client()
    login(client, other_seller.user)
    assert order.number not in client.get("/pesanan/penjual").get_data(as_text=True)
    assert client.get(part_url(order)).status_code == 404
    for suffix, data in [("/langkah", {"to": "packing"}), ("/batal", {"reason": "x"}), ("/tunai", {}),
                         ("/transfer", {})]:
        assert client.post(part_url(order, suffix), data=data).status_code == 404
    session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.AWAITING_PAYMENT


def test_buyers_cannot_open_producer_pages(buyer_client, order):
    assert buyer_client.get("/pesanan/penjual").status_code == 403
    assert buyer_client.get(part_url(order)).status_code == 403


def test_producer_confirms_transfer_then_ships_with_tracking_number(seller_client, session, order, mail_outbox):
    assert seller_client.post(part_url(order, "/transfer")).status_code == 303
    seller_client.post(part_url(order, "/langkah"), data={"to": "packing"})
    missing_resi = seller_client.post(part_url(order, "/langkah"), data={"to": "shipped", "courier": "JNE"})
    session.expire_all()
    assert session.get(Order, order.id).parts[0].status == PartStatus.PACKING
    assert missing_resi.status_code == 303

    seller_client.post(part_url(order, "/langkah"), data={"to": "shipped", "courier": "JNE",
                                                          "tracking_number": "JNE123456"})

    session.expire_all()
    part = session.get(Order, order.id).parts[0]
    assert part.status == PartStatus.SHIPPED
    assert (part.courier_name, part.tracking_number) == ("JNE", "JNE123456")
    buyer_mails = [m for m in mail_outbox if m.to == order.buyer_email]
    assert any("JNE123456" in m.body for m in buyer_mails)


def test_refused_step_shows_a_message_and_changes_nothing(seller_client, session, order):
    response = seller_client.post(part_url(order, "/langkah"), data={"to": "delivered"})
    assert response.status_code == 303
    assert seller_client.post(part_url(order, "/langkah"), data={"to": "flying"}).status_code == 400
    session.expire_all()
    assert session.get(Order, order.id).parts[0].status == PartStatus.AWAITING_PAYMENT


def test_cancel_needs_a_reason_returns_stock_and_tells_the_buyer(seller_client, session, order, mail_outbox):
    assert seller_client.post(part_url(order, "/batal"), data={"reason": ""}).status_code == 303
    session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.AWAITING_PAYMENT

    seller_client.post(part_url(order, "/transfer"))
    seller_client.post(part_url(order, "/batal"), data={"reason": "Bahan baku habis"})

    session.expire_all()
    order = session.get(Order, order.id)
    assert order.parts[0].status == PartStatus.REFUNDED  # paid by transfer: refund recorded
    assert order.parts[0].lines[0].product.stock == 5
    assert any("Bahan baku habis" in m.body for m in mail_outbox if m.to == order.buyer_email)


def test_cash_order_is_fulfilled_and_cash_recorded(seller_client, session, seller):
    factories.set_delivery(session, seller)
    product = factories.make_product(session, seller=seller, price=20_000, stock=5)
    order = factories.place_order(session, [(product, 1)], payment="cash")
    for step in ("packing", "ready_for_pickup", "delivered"):
        seller_client.post(part_url(order, "/langkah"), data={"to": step})
    assert seller_client.post(part_url(order, "/tunai")).status_code == 303
    session.expire_all()
    part = session.get(Order, order.id).parts[0]
    assert part.status == PartStatus.DELIVERED
    assert part.payment_confirmed_at is not None


def test_seller_order_mail_is_in_the_producers_language(session, seller, mail_outbox):
    seller.user.preferred_language = "en"
    session.commit()
    factories.set_delivery(session, seller)
    product = factories.make_product(session, seller=seller, price=20_000, stock=5)
    from marketplace.services import notifications

    order = factories.place_order(session, [(product, 1)], payment="cash")
    notifications.notify_events(session, order.id)

    to_seller = [m for m in mail_outbox if m.to == seller.user.email]
    to_buyer = [m for m in mail_outbox if m.to == order.buyer_email]
    assert to_seller and to_seller[0].subject.startswith("New order")
    assert to_buyer and to_buyer[0].subject.startswith("Pesanan")


def test_delivery_settings_accept_indonesian_amounts(seller_client, session, seller):
    response = seller_client.post("/pesanan/penjual/pengiriman", data={
        "offers_pickup": "y", "offers_local_delivery": "y", "local_delivery_fee": "Rp 10.000",
        "offers_courier": "y", "courier_fee_jatim": "15.000", "offers_cash": "y"})
    assert response.status_code == 303
    settings = session.query(DeliverySettings).filter_by(seller_id=seller.id).one()
    assert (settings.local_delivery_fee, settings.courier_fee_jatim, settings.courier_fee_blitar) == (10_000, 15_000, 0)


@pytest.mark.parametrize("data", [
    {"offers_local_delivery": "y", "local_delivery_fee": "abc"},
    {"offers_courier": "y"},
    {"pickup_note": "nothing offered at all"},
    {"offers_pickup": "y", "local_delivery_fee": "-5"},
])
def test_bad_delivery_settings_are_refused(seller_client, session, seller, data):
    assert seller_client.post("/pesanan/penjual/pengiriman", data=data).status_code == 400
    assert session.query(DeliverySettings).count() == 0
