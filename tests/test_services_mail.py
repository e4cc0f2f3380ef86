"""Outgoing mail: a mail server that is down is logged and never turns a done deed into an error page."""
import logging

import pytest

from marketplace.models import Order
from marketplace.services.mail import send_mail
from tests import factories
from tests.conftest import free_port


@pytest.fixture
def smtp_down(app):
    """SMTP delivery to a loopback port where nothing listens."""
    keys = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_USE_TLS": False,
            "MAIL_USERNAME": ""}
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(keys)
    yield
    app.config.update(saved)


def test_undeliverable_mail_is_logged_not_raised(app, smtp_down, caplog):
    with caplog.at_level(logging.ERROR, logger="marketplace.services.mail"):
        mail = send_mail("sri@example.id", "Pesanan", "Isi")

    assert mail.delivered is False
    assert [record.getMessage() for record in caplog.records] == ["mail not delivered"]
    assert caplog.records[0].mail_domain == "example.id"


def test_delivered_mail_says_so(app, mail_outbox):
    assert send_mail("sri@example.id", "Pesanan", "Isi").delivered is True
    assert [mail.to for mail in mail_outbox] == ["sri@example.id"]


def test_checkout_succeeds_while_the_mail_server_is_down(client, session, smtp_down):
    seller = factories.make_seller(session)
    factories.set_delivery(session, seller)
    product = factories.make_product(session, seller=seller, price=50_000, stock=4)
    client.post("/pesanan/keranjang/tambah", data={"product_id": product.id, "quantity": 1})
    client.post("/pesanan/checkout", data={"name": "Sri", "email": "sri@example.id", "phone": "081234567890",
                                           "region": "35.05", "kecamatan": "Kanigoro"})

    placed = client.post("/pesanan/checkout/pengiriman", data={
        f"delivery-{seller.id}": "pickup", "payment_method": "transfer", "action": "place"})

    assert placed.status_code == 303
    order = session.query(Order).one()
    assert placed.headers["Location"].endswith(f"/o/{order.access_token}")
    assert client.get(placed.headers["Location"]).status_code == 200
