"""The buyer's side: order history, cancelling before shipping, confirming receipt, reviewing."""
import pytest

from marketplace.models import DeliveryMethod, Order, OrderStatus, PartStatus, Product, Review
from marketplace.services import orders
from marketplace.services.order_states import BUYER, SELLER
from tests import factories


@pytest.fixture
def product(session, seller):
    factories.set_delivery(session, seller, local_fee=5_000)
    return factories.make_product(session, seller=seller, name="Keripik Tempe", price=12_000, stock=10)


def order_url(order, suffix=""):
    return f"/pesanan/o/{order.access_token}{suffix}"


def _deliver(session, order):
    part_id = order.parts[0].id
    for status in (PartStatus.PACKING, PartStatus.SHIPPED):
        orders.advance_part(session, part_id, status, actor_role=SELLER, actor_id=None, courier_name="self")


def test_history_lists_only_my_orders(buyer_client, session, buyer, product):
    mine = factories.place_order(session, [(product, 1)], payment="cash", buyer_user=buyer)
    other = factories.place_order(session, [(product, 1)], payment="cash")
    page = buyer_client.get("/pesanan/").get_data(as_text=True)
    assert mine.number in page and other.number not in page


def test_history_needs_login(client):
    assert client.get("/pesanan/").status_code == 302


def test_buyer_cancels_before_shipping_and_stock_returns(client, session, product):
    order = factories.place_order(session, [(product, 3)], payment="transfer")
    response = client.post(order_url(order, f"/bagian/{order.parts[0].id}/batal"))
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert session.get(Product, product.id).stock == 10


def test_buyer_cannot_cancel_after_shipping(client, session, product):
    order = factories.place_order(session, [(product, 1)], payment="cash",
                                  deliveries={product.seller_id: DeliveryMethod.LOCAL})
    _deliver(session, order)
    client.post(order_url(order, f"/bagian/{order.parts[0].id}/batal"))
    session.expire_all()
    assert session.get(Order, order.id).parts[0].status == PartStatus.SHIPPED


def test_part_of_another_order_is_404(client, session, product):
    order = factories.place_order(session, [(product, 1)], payment="cash")
    other = factories.place_order(session, [(product, 1)], payment="cash")
    assert client.post(order_url(order, f"/bagian/{other.parts[0].id}/batal")).status_code == 404
    assert client.get(order_url(order, f"/ulasan/{other.parts[0].lines[0].id}")).status_code == 404


def test_confirm_receipt_then_review_once(client, session, product):
    order = factories.place_order(session, [(product, 2)], payment="transfer",
                                  deliveries={product.seller_id: DeliveryMethod.LOCAL})
    orders.confirm_payment(session, order.id, actor_id=None, actor_role="officer")
    _deliver(session, order)
    line_id = order.parts[0].lines[0].id

    early = client.post(order_url(order, f"/ulasan/{line_id}"), data={"rating": "5"})
    assert early.status_code == 303
    assert session.query(Review).count() == 0

    assert client.post(order_url(order, f"/bagian/{order.parts[0].id}/terima")).status_code == 303
    page = client.get(order_url(order)).get_data(as_text=True)
    assert f"/ulasan/{line_id}" in page

    assert client.post(order_url(order, f"/ulasan/{line_id}"), data={"rating": "9"}).status_code == 400
    client.post(order_url(order, f"/ulasan/{line_id}"), data={"rating": "4", "body": "Renyah dan gurih"})
    client.post(order_url(order, f"/ulasan/{line_id}"), data={"rating": "1", "body": "again"})

    review = session.query(Review).one()
    assert (review.rating, review.body, review.product_id) == (4, "Renyah dan gurih", product.id)
    session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.COMPLETED


def test_cash_receipt_confirmation_waits_for_the_cash(client, session, product):
    order = factories.place_order(session, [(product, 1)], payment="cash",
                                  deliveries={product.seller_id: DeliveryMethod.LOCAL})
    _deliver(session, order)
    client.post(order_url(order, f"/bagian/{order.parts[0].id}/terima"))
    session.expire_all()
    assert session.get(Order, order.id).parts[0].status == PartStatus.SHIPPED


def test_transfer_receipt_photo_is_attached_and_shown_to_the_producer(client, app, session, product, seller):
    import io

    order = factories.place_order(session, [(product, 1)], payment="transfer")
    photo = (io.BytesIO(factories.image_bytes(900, 1200)), "bukti.jpg")
    response = client.post(order_url(order, "/bukti-transfer"), data={"receipt": photo},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Order, order.id).payments[0].receipt_image_id is not None

    from tests.conftest import login

    producer = app.test_client()
    login(producer, seller.user)
    assert "/media/" in producer.get(f"/pesanan/penjual/{order.parts[0].id}").get_data(as_text=True)


def test_receipt_that_is_not_a_picture_is_refused_clearly(client, session, product):
    import io

    order = factories.place_order(session, [(product, 1)], payment="transfer")
    fake = (io.BytesIO(b"%PDF-1.4 not a photo"), "bukti.jpg")
    response = client.post(order_url(order, "/bukti-transfer"), data={"receipt": fake},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "JPEG" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Order, order.id).payments[0].receipt_image_id is None


def test_cancelling_an_unpaid_order_cancels_every_part(client, session, product):
    other = factories.make_product(session, name="Sambal Pecel", price=15_000, stock=4)
    order = factories.place_order(session, [(product, 1), (other, 2)], payment="transfer")
    client.post(order_url(order, f"/bagian/{order.parts[0].id}/batal"))
    session.expire_all()
    order = session.get(Order, order.id)
    assert order.status == OrderStatus.CANCELLED
    assert all(part.status == PartStatus.CANCELLED for part in order.parts)
    assert session.get(Product, other.id).stock == 4


def test_history_names_the_shop_of_each_step_and_says_awaiting_payment_once(client, session, product):
    other = factories.make_product(session, seller=factories.make_seller(session, shop_name="Tani Garum"),
                                   name="Beras", price=16_000, stock=5)
    order = factories.place_order(session, [(product, 1), (other, 1)])
    orders.advance_part(session, order.parts[0].id, PartStatus.CANCELLED, actor_role=BUYER, actor_id=None)

    history = client.get(order_url(order)).get_data(as_text=True).split('class="timeline"')[1].split("</ol>")[0]

    assert history.count("<li>") == 2  # placed (once, not once per shop), and the named part cancelled
    assert order.parts[0].seller.shop_name in history and "Tani Garum" not in history
