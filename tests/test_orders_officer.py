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
