"""Producers' own market-stall sales: recording, seeing only their own, correcting and cancelling."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.formatting import to_wib
from marketplace.models import AuditLog, OfflineSale, utcnow
from marketplace.services import offline_sales
from tests import factories


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Assertions use the English msgids whatever the Indonesian catalogue says."""
    request.getfixturevalue("seller").user.preferred_language = "en"
    session.commit()


def today():
    return to_wib(utcnow()).date()


def own_sale(session, seller, value=40_000):
    return offline_sales.record_sale(session, actor_id=seller.user_id, seller=seller, today=today(),
                                     data=offline_sales.SaleInput(sale_date=today(), value=value))


def test_a_producer_records_a_stall_sale_with_their_product(seller_client, session, seller):
    product = factories.make_product(session, seller=seller, name="Keripik Tempe")
    assert "Keripik Tempe" in seller_client.get("/penjual/penjualan-pasar/baru").get_data(as_text=True)
    response = seller_client.post("/penjual/penjualan-pasar/baru", data={
        "sale_date": today().isoformat(), "value": "35.000", "product_id": str(product.id), "quantity": "7"})
    assert response.status_code == 303
    sale = session.scalars(select(OfflineSale)).one()
    assert (sale.seller_id, sale.value, sale.quantity, sale.recorded_by_id) == (seller.id, 35_000, 7, seller.user_id)
    assert "Rp 35.000" in seller_client.get("/penjual/penjualan-pasar").get_data(as_text=True)


def test_the_list_shows_only_the_producers_own_sales(seller_client, session, seller, other_seller):
    own_sale(session, seller, 11_000)
    own_sale(session, other_seller, 99_000)
    page = seller_client.get("/penjual/penjualan-pasar").get_data(as_text=True)
    assert "Rp 11.000" in page and "Rp 99.000" not in page


def test_another_producers_sale_is_a_404(seller_client, session, other_seller):
    sale = own_sale(session, other_seller)
    assert seller_client.get(f"/penjual/penjualan-pasar/{sale.id}/koreksi").status_code == 404
    assert seller_client.post(f"/penjual/penjualan-pasar/{sale.id}/batal", data={"reason": "x"}).status_code == 404
    session.expire_all()
    assert session.get(OfflineSale, sale.id).voided_at is None


@pytest.mark.parametrize(("data", "message"), [
    ({"value": "35.000", "sale_date": "2099-12-31"}, "The sale date cannot be in the future."),
    ({"value": "banyak", "sale_date": "2026-01-01"}, "Enter an amount in whole rupiah"),
    ({"value": "", "sale_date": "2026-01-01"}, "Enter the amount received."),
    ({"value": "35.000", "sale_date": "2026-01-01", "quantity": "1.5"}, "Enter a whole number."),
])
def test_bad_input_is_a_400_with_a_message(seller_client, session, data, message):
    response = seller_client.post("/penjual/penjualan-pasar/baru", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalars(select(OfflineSale)).all() == []


def test_another_producers_product_is_refused(seller_client, session, other_seller):
    foreign = factories.make_product(session, seller=other_seller)
    response = seller_client.post("/penjual/penjualan-pasar/baru", data={
        "sale_date": today().isoformat(), "value": "10000", "product_id": str(foreign.id)})
    assert response.status_code == 400
    assert session.scalars(select(OfflineSale)).all() == []


def test_a_producer_corrects_a_sale_and_the_old_one_stays_in_the_history(seller_client, session, seller):
    sale = own_sale(session, seller, 40_000)
    yesterday = today() - timedelta(days=1)
    response = seller_client.post(f"/penjual/penjualan-pasar/{sale.id}/koreksi", data={
        "sale_date": yesterday.isoformat(), "value": "45.000", "reason": "Lupa satu pembeli"})
    assert response.status_code == 303
    session.expire_all()
    old, new = session.scalars(select(OfflineSale).order_by(OfflineSale.id)).all()
    assert (old.value, old.void_reason) == (40_000, "Lupa satu pembeli") and old.voided_at is not None
    assert (new.value, new.sale_date, new.corrected_from_id) == (45_000, yesterday, old.id)
    assert offline_sales.history(session, new) == [new, old]


def test_a_producer_cancels_a_sale_with_a_reason(seller_client, session, seller):
    sale = own_sale(session, seller)
    assert seller_client.get(f"/penjual/penjualan-pasar/{sale.id}/batal").status_code == 200
    assert seller_client.post(f"/penjual/penjualan-pasar/{sale.id}/batal", data={"reason": ""}).status_code == 400
    assert seller_client.post(f"/penjual/penjualan-pasar/{sale.id}/batal",
                              data={"reason": "Pembeli membatalkan"}).status_code == 303
    assert session.scalars(select(AuditLog.action).where(AuditLog.subject_id == sale.id,
                                                          AuditLog.subject_type == "offline_sale")
                          .order_by(AuditLog.id)).all() == [
        "offline_sale.recorded", "offline_sale.voided"]


def test_sales_an_officer_recorded_are_read_only_for_the_producer(seller_client, session, seller, officer):
    sale = offline_sales.record_sale(session, actor_id=officer.id, seller=seller, today=today(),
                                     data=offline_sales.SaleInput(sale_date=today(), value=70_000))
    assert "Recorded by the programme officer." in seller_client.get("/penjual/penjualan-pasar").get_data(as_text=True)
    assert seller_client.post(f"/penjual/penjualan-pasar/{sale.id}/batal", data={"reason": "x"}).status_code == 303
    session.expire_all()
    assert session.get(OfflineSale, sale.id).voided_at is None


def test_producers_not_yet_approved_and_buyers_cannot_record(app, session, buyer_client):
    pending = factories.make_seller(session, status=factories.SellerStatus.PENDING)
    from tests.conftest import login

    client = app.test_client()
    login(client, pending.user)
    assert client.get("/penjual/penjualan-pasar/baru").status_code == 403
    assert buyer_client.get("/penjual/penjualan-pasar").status_code == 403


def test_the_service_refuses_a_sale_for_an_unapproved_producer_and_a_second_correction(session, officer):
    pending = factories.make_seller(session, status=factories.SellerStatus.PENDING)
    with pytest.raises(offline_sales.OfflineSaleError) as caught:
        offline_sales.record_sale(session, actor_id=officer.id, seller=pending, today=today(),
                                  data=offline_sales.SaleInput(sale_date=today(), value=1_000))
    assert caught.value.errors == {"seller_id": "seller_not_approved"}
    seller = factories.make_seller(session)
    sale = own_sale(session, seller)
    offline_sales.void_sale(session, actor_id=officer.id, sale=sale, reason="Salah")
    with pytest.raises(offline_sales.OfflineSaleError) as caught:
        offline_sales.correct_sale(session, actor_id=officer.id, sale=sale, reason="Lagi", today=today(),
                                   data=offline_sales.SaleInput(sale_date=today(), value=2_000))
    assert caught.value.errors == {"sale": "already_void"}
