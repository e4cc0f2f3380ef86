"""Officers' order tools: confirming transfers, stuck orders, manual refunds, and who may use them."""
from datetime import timedelta

import pytest

from marketplace.models import AuditLog, Order, OrderStatus, PartStatus, SellerOrder, utcnow
from tests import factories


@pytest.fixture
def transfer_order(session):
    product = factories.make_product(session, name="Beras Merah", price=40_000, stock=10)
    return factories.place_order(session, [(product, 2)], payment="transfer")


def test_officer_sees_waiting_transfers_and_confirms_one(officer_client, session, officer, transfer_order):
    page = officer_client.get("/pesanan/petugas/transfer").get_data(as_text=True)
    assert transfer_order.number in page

    response = officer_client.post(f"/pesanan/petugas/transfer/{transfer_order.id}")

    assert response.status_code == 303
    session.expire_all()
    assert session.get(Order, transfer_order.id).status == OrderStatus.PAID
    entry = session.query(AuditLog).filter_by(action="order.transfer_confirmed").one()
    assert (entry.actor_id, entry.subject_id) == (officer.id, transfer_order.id)
    again = officer_client.post(f"/pesanan/petugas/transfer/{transfer_order.id}")
    assert again.status_code == 303
    assert session.query(AuditLog).filter_by(action="order.transfer_confirmed").count() == 1


def test_unknown_order_is_404(officer_client):
    assert officer_client.post("/pesanan/petugas/transfer/999999").status_code == 404
    assert officer_client.get("/pesanan/petugas/bagian/999999/refund").status_code == 404


@pytest.mark.parametrize("url", ["/pesanan/petugas/transfer", "/pesanan/petugas/macet"])
def test_buyers_and_producers_are_kept_out(buyer_client, seller_client, client, url):
    assert buyer_client.get(url).status_code == 403
    assert seller_client.get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_stuck_orders_are_listed_after_the_configured_days(officer_client, session, transfer_order):
    from marketplace.services import orders

    orders.confirm_payment(session, transfer_order.id, actor_id=None, actor_role="officer",
                           now=utcnow() - timedelta(days=5))
    fresh = factories.place_order(session, [(transfer_order.parts[0].lines[0].product, 1)], payment="cash")
    page = officer_client.get("/pesanan/petugas/macet").get_data(as_text=True)
    assert transfer_order.number in page
    assert fresh.number not in page


def test_manual_refund_reduces_the_line_value_and_is_audited(officer_client, session, transfer_order):
    from marketplace.services import orders

    transfer_order.language = "en"
    session.commit()
    orders.confirm_payment(session, transfer_order.id, actor_id=None, actor_role="officer")
    part_id = transfer_order.parts[0].id
    too_much = officer_client.post(f"/pesanan/petugas/bagian/{part_id}/refund",
                                   data={"amount": "Rp 500.000", "reason": "Barang rusak"})
    assert too_much.status_code == 400

    ok = officer_client.post(f"/pesanan/petugas/bagian/{part_id}/refund",
                             data={"amount": "Rp 20.000", "reason": "Satu bungkus rusak"})

    assert ok.status_code == 303
    session.expire_all()
    part = session.get(SellerOrder, part_id)
    assert part.lines[0].value == 80_000 - 20_000
    assert part.status == PartStatus.NEW
    assert session.query(AuditLog).filter_by(action="order.refunded", reason="Satu bungkus rusak").count() == 1


def test_refund_of_an_unpaid_part_is_refused(officer_client, session, transfer_order):
    response = officer_client.post(f"/pesanan/petugas/bagian/{transfer_order.parts[0].id}/refund",
                                   data={"amount": "10.000", "reason": "x"})
    assert response.status_code == 400


def _refund_mails(mail_outbox, order):
    return [mail for mail in mail_outbox if mail.to == order.buyer_email and order.number in mail.subject
            and mail.subject.startswith("Refund for order")]


def test_partial_refund_mails_the_buyer_in_their_language_what_and_how(officer_client, session, transfer_order,
                                                                       mail_outbox):
    from marketplace.services import orders

    transfer_order.language = "en"
    session.commit()
    orders.confirm_payment(session, transfer_order.id, actor_id=None, actor_role="officer")
    mail_outbox.clear()

    response = officer_client.post(f"/pesanan/petugas/bagian/{transfer_order.parts[0].id}/refund",
                                   data={"amount": "Rp 20.000", "reason": "Satu bungkus rusak"})

    assert response.status_code == 303
    assert [mail.to for mail in mail_outbox] == [transfer_order.buyer_email]
    (mail,) = _refund_mails(mail_outbox, transfer_order)
    assert "Amount refunded: Rp 20.000" in mail.body
    assert "transfers the money back to your bank account" in mail.body
    assert transfer_order.parts[0].seller.shop_name in mail.body
    assert f"/pesanan/o/{transfer_order.access_token}" in mail.body


def test_full_refund_of_a_cancelled_part_mails_the_buyer_once_and_the_producer(officer_client, session,
                                                                               transfer_order, mail_outbox):
    from marketplace.services import orders

    transfer_order.language = "en"
    session.commit()
    orders.confirm_payment(session, transfer_order.id, actor_id=None, actor_role="officer")
    part_id = transfer_order.parts[0].id
    orders.advance_part(session, part_id, PartStatus.CANCELLED, actor_role="officer", actor_id=None, note="Habis")
    mail_outbox.clear()

    response = officer_client.post(f"/pesanan/petugas/bagian/{part_id}/refund",
                                   data={"amount": "Rp 80.000", "reason": "Dibatalkan"})

    assert response.status_code == 303
    session.expire_all()
    assert session.get(SellerOrder, part_id).status == PartStatus.REFUNDED
    producer_email = transfer_order.parts[0].seller.user.email
    assert sorted(mail.to for mail in mail_outbox) == sorted([transfer_order.buyer_email, producer_email])
    assert "Rp 80.000" in _refund_mails(mail_outbox, transfer_order)[0].body


def test_refund_shows_on_the_order_timeline(officer_client, client, session, transfer_order):
    from marketplace.services import orders

    orders.confirm_payment(session, transfer_order.id, actor_id=None, actor_role="officer")
    officer_client.post(f"/pesanan/petugas/bagian/{transfer_order.parts[0].id}/refund",
                        data={"amount": "Rp 20.000", "reason": "Satu bungkus rusak"})
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"

    page = client.get(f"/pesanan/o/{transfer_order.access_token}").get_data(as_text=True)

    assert "Money refunded — Rp 20.000" in page
