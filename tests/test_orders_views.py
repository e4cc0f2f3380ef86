"""Cart and checkout pages: guests and buyers, server-side totals, problems shown, no 500s."""
import pytest

from marketplace.models import CartItem, Order, OrderStatus, PaymentMethod, Product
from tests import factories
from tests.conftest import login


@pytest.fixture
def shop(session):
    tani = factories.make_seller(session, shop_name="Tani Organik Garum")
    anyam = factories.make_seller(session, shop_name="Anyaman Bu Sri")
    factories.set_delivery(session, tani, local_fee=10_000, courier=(8_000, 15_000, 30_000))
    factories.set_delivery(session, anyam)
    beras = factories.make_product(session, seller=tani, name="Beras Organik", price=16_000, stock=20, unit="kg",
                                   weight_grams=1000)
    tas = factories.make_product(session, seller=anyam, name="Tas Anyaman", price=75_000, stock=3)
    return tani, anyam, beras, tas


def add(client, product, quantity=1):
    return client.post("/pesanan/keranjang/tambah", data={"product_id": product.id, "quantity": quantity})


def place(client, deliveries, method, action="place"):
    """Step 2 of checkout: a delivery per producer and how to pay."""
    return client.post("/pesanan/checkout/pengiriman", data={
        **{f"delivery-{producer.id}": delivery for producer, delivery in deliveries.items()},
        "payment_method": method, "action": action})


CONTACT = {"name": "Sri Pembeli", "email": "sri@example.id", "phone": "0812-3456-7890", "region": "35",
           "regency_name": "Kota Malang", "kecamatan": "Klojen", "desa": "Oro-oro Dowo", "street": "Jl. Ijen 5",
           "postal_code": "65119"}


def test_guest_adds_products_of_two_producers_and_sees_them_grouped(client, shop):
    _tani, _anyam, beras, tas = shop
    assert add(client, beras, 2).status_code == 303
    add(client, tas)

    page = client.get("/pesanan/keranjang").get_data(as_text=True)

    assert "Tani Organik Garum" in page and "Anyaman Bu Sri" in page
    assert "Rp 32.000" in page and "Rp 75.000" in page
    assert "Rp 107.000" in page


def test_adding_more_than_stock_is_limited_with_a_message(client, shop):
    *_, tas = shop
    response = add(client, tas, 10)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3" in page
    assert client.get("/pesanan/keranjang").get_data(as_text=True).count('value="3"') == 1


def test_bad_cart_input_never_errors(client, shop):
    *_, tas = shop
    assert client.post("/pesanan/keranjang/tambah", data={"product_id": "abc", "quantity": 1}).status_code == 303
    assert client.post("/pesanan/keranjang/tambah", data={"product_id": tas.id, "quantity": -4}).status_code == 303
    assert client.post("/pesanan/keranjang/tambah", data={"product_id": 999999, "quantity": 1}).status_code == 303
    assert client.post("/pesanan/keranjang/hapus", data={"product_id": "x"}).status_code == 400


def test_guest_checks_out_by_transfer_from_two_producers(client, session, shop, mail_outbox):
    tani, anyam, beras, tas = shop
    add(client, beras, 3)
    add(client, tas, 1)

    contact = client.post("/pesanan/checkout", data=CONTACT)
    assert contact.status_code == 303
    page = client.get("/pesanan/checkout/pengiriman").get_data(as_text=True)
    assert "Rp 45.000" in page  # courier: 3 kg x Rp 15.000 to elsewhere in Jawa Timur
    placed = client.post("/pesanan/checkout/pengiriman", data={
        f"delivery-{tani.id}": "courier", f"delivery-{anyam.id}": "pickup",
        "payment_method": "transfer", "action": "place",
        # A client that posts its own totals changes nothing: the server ignores them.
        "total": "1", "price": "1",
    })

    assert placed.status_code == 303
    order = session.query(Order).one()
    assert order.total == 48_000 + 75_000 + 45_000 + order.unique_code
    assert order.regency_name == "Kota Malang" and order.regency_code == "35"
    order_page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert order.number in order_page
    assert "0011223344" in order_page
    assert client.get("/pesanan/keranjang").get_data(as_text=True).count("Tas Anyaman") == 0
    assert any(mail.to == "sri@example.id" for mail in mail_outbox)


def test_delivery_needs_a_street_address(client, session, shop):
    tani, _anyam, beras, _tas = shop
    add(client, beras)
    client.post("/pesanan/checkout", data={**CONTACT, "street": ""})
    response = place(client, {tani: "courier"}, "cash")
    assert response.status_code == 400
    assert session.query(Order).count() == 0


@pytest.mark.parametrize("missing", ["kecamatan", "regency_name"])
def test_delivery_needs_the_kecamatan_and_kabupaten(client, session, shop, missing):
    tani, _anyam, beras, _tas = shop
    add(client, beras)
    client.post("/pesanan/checkout", data={**CONTACT, missing: ""})

    response = place(client, {tani: "courier"}, "cash")

    assert response.status_code == 400
    assert "kecamatan" in response.get_data(as_text=True)
    assert session.query(Order).count() == 0


def test_pickup_needs_no_address(client, session, shop):
    _tani, anyam, _beras, tas = shop
    add(client, tas)
    client.post("/pesanan/checkout", data={**CONTACT, "street": "", "kecamatan": "", "regency_name": ""})

    response = place(client, {anyam: "pickup"}, "cash")

    assert response.status_code == 303
    assert session.query(Order).count() == 1


def test_price_change_between_cart_and_checkout_is_shown_not_charged(client, session, shop):
    tani, _anyam, beras, _tas = shop
    add(client, beras)
    client.post("/pesanan/checkout", data=CONTACT)
    session.get(Product, beras.id).price = 18_000
    session.commit()

    response = place(client, {tani: "pickup"}, "cash")

    assert response.status_code == 400
    assert "Rp 18.000" in response.get_data(as_text=True)
    assert session.query(Order).count() == 0


def test_recalculate_does_not_place_the_order(client, session, shop):
    tani, _anyam, beras, _tas = shop
    add(client, beras)
    client.post("/pesanan/checkout", data=CONTACT)
    response = place(client, {tani: "courier"}, "cash", action="recalculate")
    assert response.status_code == 200
    assert "Rp 31.000" in response.get_data(as_text=True)
    assert session.query(Order).count() == 0


def test_unknown_payment_method_or_delivery_is_refused(client, session, shop):
    tani, _anyam, beras, _tas = shop
    add(client, beras)
    client.post("/pesanan/checkout", data=CONTACT)
    bad_method = place(client, {tani: "pickup"}, "bitcoin")
    bad_delivery = place(client, {tani: "teleport"}, "cash")
    assert (bad_method.status_code, bad_delivery.status_code) == (400, 400)
    assert session.query(Order).count() == 0


def test_card_is_offered_only_with_stripe_keys(client, shop):
    _tani, _anyam, beras, _tas = shop
    add(client, beras)
    client.post("/pesanan/checkout", data=CONTACT)
    assert 'value="card"' not in client.get("/pesanan/checkout/pengiriman").get_data(as_text=True)


def test_card_checkout_leads_to_the_payment_page(client, session, shop, stripe_config):
    tani, _anyam, beras, _tas = shop
    add(client, beras)
    client.post("/pesanan/checkout", data=CONTACT)
    placed = place(client, {tani: "pickup"}, "card")
    assert "/bayar-kartu" in placed.headers["Location"]
    page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert stripe_config["STRIPE_JS_URL"] in page
    assert "_secret_" in page
    assert session.query(Order).one().payment_method == PaymentMethod.CARD


def test_buyer_cart_is_kept_in_the_database_and_merged_at_login(app, session, shop, buyer):
    _tani, _anyam, beras, tas = shop
    guest = app.test_client()
    add(guest, tas, 2)
    response = guest.post("/akun/masuk", data={"email": buyer.email, "password": factories.PASSWORD})
    assert response.status_code in (302, 303)
    items = {item.product_id: item.quantity for item in session.query(CartItem).filter_by(user_id=buyer.id)}
    assert items == {tas.id: 2}


def test_order_link_is_unguessable_and_404_otherwise(client, session, shop):
    _tani, _anyam, beras, _tas = shop
    order = factories.place_order(session, [(beras, 1)], payment="cash")
    assert client.get(f"/pesanan/o/{order.access_token}").status_code == 200
    assert client.get("/pesanan/o/not-a-real-token").status_code == 404
    assert client.get(f"/pesanan/o/{'x' * 500}").status_code == 404
    assert order.status == OrderStatus.PLACED


def test_card_below_the_stripe_minimum_is_refused_before_the_order_is_placed(app, client, session, shop,
                                                                             stripe_config):
    _tani, anyam, _beras, tas = shop
    tas.price = app.config["STRIPE_MINIMUM_AMOUNT"] - 1_000
    session.commit()
    add(client, tas)
    client.post("/pesanan/checkout", data=CONTACT)

    response = place(client, {anyam: "pickup"}, "card")

    assert response.status_code == 400
    assert "Pembayaran kartu minimal Rp 10.000" in response.get_data(as_text=True)
    assert session.query(Order).count() == 0
    assert session.get(Product, tas.id).stock == 3
    assert "Tas Anyaman" in client.get("/pesanan/keranjang").get_data(as_text=True)
