"""Officers' exhibition pages: events, recording sales for producers, corrections and cancellations."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.formatting import to_wib
from marketplace.models import AuditLog, ExhibitionEvent, OfflineSale, utcnow
from marketplace.services import offline_sales
from tests import factories


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Officers read these pages in English, so assertions use the English msgids whatever the catalogue says."""
    if "officer" in request.fixturenames:
        request.getfixturevalue("officer").preferred_language = "en"
    session.commit()


def today():
    return to_wib(utcnow()).date()


@pytest.fixture
def fair(session, officer):
    return offline_sales.save_event(session, actor_id=officer.id, name="Pameran UMKM Blitar", place="Alun-alun",
                                    start_date=today() - timedelta(days=2), end_date=today())


def record(session, seller, officer, value=50_000, day=None):
    return offline_sales.record_sale(session, actor_id=officer.id, seller=seller, today=today(),
                                     data=offline_sales.SaleInput(sale_date=day or today(), value=value))


def test_officer_creates_and_edits_an_exhibition(officer_client, session):
    response = officer_client.post("/petugas/pameran/baru", data={
        "name": "Bazar Ramadan", "place": "Kanigoro", "start_date": "2026-03-01", "end_date": "2026-03-03"})
    assert response.status_code == 303
    event = session.scalars(select(ExhibitionEvent)).one()
    assert (event.name, event.start_date, event.end_date) == ("Bazar Ramadan", date(2026, 3, 1), date(2026, 3, 3))
    response = officer_client.post(f"/petugas/pameran/{event.id}/ubah", data={
        "name": "Bazar Ramadan 2026", "place": "", "start_date": "2026-03-01", "end_date": "2026-03-04"})
    assert response.status_code == 303
    session.refresh(event)
    assert (event.name, event.end_date) == ("Bazar Ramadan 2026", date(2026, 3, 4))
    assert "Bazar Ramadan 2026" in officer_client.get("/petugas/pameran").get_data(as_text=True)
    actions = session.scalars(select(AuditLog.action).where(AuditLog.subject_type == "exhibition")
                              .order_by(AuditLog.id)).all()
    assert actions == ["exhibition.created", "exhibition.updated"]


@pytest.mark.parametrize(("start", "end", "message"), [
    ("2026-03-05", "2026-03-01", "The end date cannot be before the start date."),
    ("2026-02-30", "2026-03-01", "Enter a date like 2025-03-14."),
    ("2026-01-01", "2027-06-01", "An exhibition can last at most a year."),
])
def test_bad_exhibition_dates_are_a_400_with_a_message(officer_client, session, start, end, message):
    response = officer_client.post("/petugas/pameran/baru", data={"name": "Bazar", "start_date": start,
                                                                  "end_date": end})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalars(select(ExhibitionEvent)).all() == []


def test_unknown_exhibition_is_a_404(officer_client):
    assert officer_client.get("/petugas/pameran/999999").status_code == 404
    assert officer_client.get("/petugas/penjualan-luring/baru?acara=999999").status_code == 404
    assert officer_client.get("/petugas/penjualan-luring/999999").status_code == 404


def test_only_officers_reach_the_pages(seller_client, client):
    assert seller_client.get("/petugas/pameran").status_code == 403
    assert client.get("/petugas/pameran").status_code in (302, 303)


def test_the_producer_choice_lists_only_approved_producers(officer_client, session, fair):
    factories.make_seller(session, shop_name="Toko Disetujui")
    pending = factories.make_seller(session, shop_name="Toko Menunggu", status=factories.SellerStatus.PENDING)
    page = officer_client.get(f"/petugas/penjualan-luring/baru?acara={fair.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Toko Disetujui" in html and "Toko Menunggu" not in html
    refused = officer_client.get(f"/petugas/penjualan-luring/baru?acara={fair.id}&penjual={pending.id}")
    assert refused.status_code == 400
    assert "Choose an approved producer from the list." in refused.get_data(as_text=True)
    assert officer_client.get("/petugas/penjualan-luring/baru?penjual=abc").status_code == 400


def test_officer_records_a_sale_at_an_exhibition(officer_client, session, fair, officer):
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri")
    product = factories.make_product(session, seller=seller, name="Tas Anyaman")
    url = f"/petugas/penjualan-luring/baru?acara={fair.id}&penjual={seller.id}"
    form_page = officer_client.get(url).get_data(as_text=True)
    assert "Tas Anyaman" in form_page
    response = officer_client.post(url, data={"sale_date": today().isoformat(), "value": "Rp 150.000",
                                              "product_id": str(product.id), "quantity": "3",
                                              "event_id": str(fair.id), "note": "Hari pertama"})
    assert response.status_code == 303
    sale = session.scalars(select(OfflineSale)).one()
    assert (sale.seller_id, sale.value, sale.product_id, sale.quantity, sale.event_id, sale.recorded_by_id) == (
        seller.id, 150_000, product.id, 3, fair.id, officer.id)
    assert "Rp 150.000" in officer_client.get(f"/petugas/pameran/{fair.id}").get_data(as_text=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"value": "lima puluh"}, "Enter an amount in whole rupiah"),
    ({"value": "0"}, "Enter the amount received, at least Rp 1."),
    ({"sale_date": "2099-01-01"}, "The sale date cannot be in the future."),
    ({"sale_date": "kemarin"}, "Enter a date like 2025-03-14."),
    ({"quantity": "-2"}, "Enter a number from 1 to"),
    ({"event_id": "999999"}, "Choose an exhibition from the list."),
    ({"product_id": "x"}, "products from the list."),
])
def test_bad_sale_input_is_a_400_and_records_nothing(officer_client, session, fair, changes, message):
    seller = factories.make_seller(session)
    data = {"sale_date": today().isoformat(), "value": "50.000", "event_id": str(fair.id), **changes}
    response = officer_client.post(f"/petugas/penjualan-luring/baru?penjual={seller.id}", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalars(select(OfflineSale)).all() == []


def test_a_sale_outside_the_exhibition_dates_or_with_another_producers_product_is_refused(
        officer_client, session, fair):
    seller = factories.make_seller(session)
    other_product = factories.make_product(session, seller=factories.make_seller(session))
    url = f"/petugas/penjualan-luring/baru?penjual={seller.id}"
    early = officer_client.post(url, data={"sale_date": (fair.start_date - timedelta(days=1)).isoformat(),
                                           "value": "10000", "event_id": str(fair.id)})
    assert early.status_code == 400
    assert "within the exhibition" in early.get_data(as_text=True)
    foreign = officer_client.post(url, data={"sale_date": today().isoformat(), "value": "10000",
                                             "product_id": str(other_product.id)})
    assert foreign.status_code == 400
    assert session.scalars(select(OfflineSale)).all() == []


def test_correcting_keeps_the_old_record_and_logs_who_and_why(officer_client, session, officer):
    seller = factories.make_seller(session)
    sale = record(session, seller, officer, value=12_000)
    form_page = officer_client.get(f"/petugas/penjualan-luring/{sale.id}/koreksi")
    assert form_page.status_code == 200 and 'value="12.000"' in form_page.get_data(as_text=True)
    response = officer_client.post(f"/petugas/penjualan-luring/{sale.id}/koreksi", data={
        "sale_date": sale.sale_date.isoformat(), "value": "21.000", "reason": "Salah ketik"})
    assert response.status_code == 303
    session.expire_all()
    old, new = session.scalars(select(OfflineSale).order_by(OfflineSale.id)).all()
    assert old.voided_at is not None and old.void_reason == "Salah ketik" and old.value == 12_000
    assert (new.value, new.corrected_from_id, new.voided_at) == (21_000, old.id, None)
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "offline_sale.corrected")).one()
    assert (entry.actor_id, entry.subject_id, entry.reason) == (officer.id, old.id, "Salah ketik")
    page = officer_client.get(f"/petugas/penjualan-luring/{new.id}").get_data(as_text=True)
    assert "Rp 12.000" in page and "Rp 21.000" in page      # the history shows both


def test_a_correction_needs_a_reason(officer_client, session, officer):
    sale = record(session, factories.make_seller(session), officer)
    response = officer_client.post(f"/petugas/penjualan-luring/{sale.id}/koreksi", data={
        "sale_date": sale.sale_date.isoformat(), "value": "1.000", "reason": "  "})
    assert response.status_code == 400
    session.expire_all()
    assert [s.value for s in session.scalars(select(OfflineSale))] == [50_000]
    assert session.get(OfflineSale, sale.id).voided_at is None


def test_cancelling_a_sale_needs_a_reason_and_happens_once(officer_client, session, officer):
    sale = record(session, factories.make_seller(session), officer)
    assert officer_client.post(f"/petugas/penjualan-luring/{sale.id}/batal", data={"reason": ""}).status_code == 400
    response = officer_client.post(f"/petugas/penjualan-luring/{sale.id}/batal", data={"reason": "Dicatat dua kali"})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(OfflineSale, sale.id).void_reason == "Dicatat dua kali"
    again = officer_client.post(f"/petugas/penjualan-luring/{sale.id}/batal", data={"reason": "Lagi"})
    assert again.status_code == 303
    assert session.scalars(select(AuditLog.action).where(AuditLog.subject_id == sale.id,
                                                          AuditLog.subject_type == "offline_sale")
                           .order_by(AuditLog.id)).all() == [
        "offline_sale.recorded", "offline_sale.voided"]
    assert officer_client.get(f"/petugas/penjualan-luring/{sale.id}/koreksi").status_code == 303


def test_forms_need_a_csrf_token(officer_client, session, officer, csrf_enabled):
    sale = record(session, factories.make_seller(session), officer)
    response = officer_client.post(f"/petugas/penjualan-luring/{sale.id}/batal", data={"reason": "Tanpa token"})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(OfflineSale, sale.id).voided_at is None


def test_an_exhibition_cannot_be_moved_away_from_its_recorded_sales(officer_client, session, fair, officer):
    offline_sales.record_sale(session, actor_id=officer.id, seller=factories.make_seller(session), today=today(),
                              data=offline_sales.SaleInput(sale_date=fair.start_date, value=5_000, event_id=fair.id))
    response = officer_client.post(f"/petugas/pameran/{fair.id}/ubah", data={
        "name": fair.name, "start_date": fair.end_date.isoformat(), "end_date": fair.end_date.isoformat()})
    assert response.status_code == 400
    assert "Correct those sales first." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(ExhibitionEvent, fair.id).start_date == today() - timedelta(days=2)
