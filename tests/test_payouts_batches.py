"""Payout batches: who is paid how much, the bulk-transfer CSV, marking sent, cancelling,
and the officers' and admins' pages."""
import csv
import io
import json

import pytest

from marketplace.models import AuditLog, LedgerEntry, Payout, PayoutStatus
from marketplace.services import ledger, orders, payouts
from marketplace.services.order_states import OFFICER
from tests import factories


def producer(session, name, *, bank=True):
    details = {"bank_name": "BRI", "bank_account_number": "0987654321", "bank_account_holder": f"Ibu {name}"}
    if not bank:
        details = {}
    return factories.make_seller(session, shop_name=name, **details)


def owe(session, seller, amount):
    """Make the marketplace owe `seller` `amount` through a confirmed transfer."""
    product = factories.make_product(session, seller=seller, price=amount)
    order = factories.place_order(session, [(product, 1)], payment="transfer")
    orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER)


@pytest.fixture
def owed(session):
    sri, tani, ani = producer(session, "Anyaman Bu Sri"), producer(session, "Tani Garum"), producer(session, "Batik Ani")
    owe(session, sri, 150_000)
    owe(session, tani, 40_000)
    owe(session, ani, 9_000)
    return sri, tani, ani


def test_all_above_a_minimum_pays_each_their_whole_balance_in_one_batch(session, owed, officer):
    sri, tani, ani = owed

    result = payouts.create_batch(session, actor_id=officer.id, minimum=10_000)

    assert sorted((p.seller_id, p.amount) for p in result.created) == [(sri.id, 150_000), (tani.id, 40_000)]
    assert result.skipped == {}
    assert ledger.balance(session, sri.id).total == 0
    assert ledger.balance(session, ani.id).total == 9_000
    assert session.query(AuditLog).filter_by(action="payout.created").count() == 2


def test_a_payout_cannot_exceed_the_balance(session, owed, officer):
    sri = owed[0]

    result = payouts.create_batch(session, actor_id=officer.id, seller_ids=[sri.id], amounts={sri.id: 150_001})

    assert result.batch is None and result.skipped == {sri.id: "exceeds_balance"}
    assert session.query(Payout).count() == 0
    assert ledger.balance(session, sri.id).total == 150_000


def test_producers_without_bank_details_or_money_are_skipped(session, officer):
    nobank = producer(session, "Tanpa Rekening", bank=False)
    owe(session, nobank, 50_000)
    broke = producer(session, "Belum Laku")

    result = payouts.create_batch(session, actor_id=officer.id, seller_ids=[nobank.id, broke.id])

    assert result.batch is None
    assert result.skipped == {nobank.id: "no_bank_details", broke.id: "nothing_owed"}


def test_a_second_batch_does_not_pay_the_same_balance_again(session, owed, officer):
    sri = owed[0]
    payouts.create_batch(session, actor_id=officer.id, seller_ids=[sri.id])

    again = payouts.create_batch(session, actor_id=officer.id, seller_ids=[sri.id])

    assert again.batch is None and again.skipped == {sri.id: "payout_pending"}
    assert session.query(Payout).count() == 1


def test_csv_has_one_row_per_payout_with_bank_details_and_amounts(session, owed, officer):
    result = payouts.create_batch(session, actor_id=officer.id, minimum=1)

    rows = list(csv.DictReader(io.StringIO(payouts.batch_csv(result.batch))))

    assert sorted((r["bank_name"], r["account_number"], r["account_holder"], r["amount"]) for r in rows) == [
        ("BRI", "0987654321", "Ibu Anyaman Bu Sri", "150000"),
        ("BRI", "0987654321", "Ibu Batik Ani", "9000"),
        ("BRI", "0987654321", "Ibu Tani Garum", "40000"),
    ]
    assert {r["currency"] for r in rows} == {"IDR"}


def test_mark_sent_then_cancel_is_refused_and_money_stays_paid(session, owed, officer):
    sri = owed[0]
    payout = payouts.create_batch(session, actor_id=officer.id, seller_ids=[sri.id]).created[0]

    payouts.mark_sent(session, payout.id, bank_reference="TRF-20261128-01", actor_id=officer.id)
    with pytest.raises(payouts.PayoutRefused) as refused:
        payouts.cancel(session, payout.id, reason="salah", actor_id=officer.id)

    assert refused.value.code == "not_pending"
    payout = session.get(Payout, payout.id)
    assert (payout.status, payout.bank_reference) == (PayoutStatus.SENT, "TRF-20261128-01")
    assert ledger.balance(session, sri.id).total == 0


def test_cancelling_an_unsent_payout_makes_the_money_owed_again(session, owed, officer):
    sri = owed[0]
    payout = payouts.create_batch(session, actor_id=officer.id, seller_ids=[sri.id]).created[0]

    payouts.cancel(session, payout.id, reason="Nomor rekening salah", actor_id=officer.id)

    assert ledger.balance(session, sri.id).total == 150_000
    assert session.query(LedgerEntry).filter_by(payout_id=payout.id).count() == 2
    assert payouts.create_batch(session, actor_id=officer.id, seller_ids=[sri.id]).created[0].amount == 150_000


# ---- pages ------------------------------------------------------------------------------------

def test_officer_pays_the_ticked_producers_downloads_csv_and_marks_sent(session, owed, officer_client):
    sri, tani, _ = owed
    page = officer_client.get("/petugas/pembayaran")
    assert page.status_code == 200 and "Anyaman Bu Sri" in page.text

    created = officer_client.post("/petugas/pembayaran/batch", data={"seller_ids": [sri.id, tani.id],
                                                                     "mode": "selected"})
    assert created.status_code == 303
    batch_url = created.headers["Location"]
    download = officer_client.get(batch_url + ".csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert len(list(csv.DictReader(io.StringIO(download.text)))) == 2
    downloaded = session.query(AuditLog).filter_by(action="payout_batch.downloaded").one()
    assert json.loads(downloaded.details) == {"payouts": 2}

    payout = session.query(Payout).filter_by(seller_id=sri.id).one()
    missing = officer_client.post(f"/petugas/pembayaran/{payout.id}/terkirim", data={"bank_reference": " "})
    assert missing.status_code == 400
    sent = officer_client.post(f"/petugas/pembayaran/{payout.id}/terkirim", data={"bank_reference": "REF123"})
    assert sent.status_code == 303
    assert session.get(Payout, payout.id).status == PayoutStatus.SENT


def test_bad_batch_requests_get_a_message_not_an_error(session, owed, officer_client):
    assert officer_client.post("/petugas/pembayaran/batch", data={"mode": "selected"}).status_code == 400
    assert officer_client.post("/petugas/pembayaran/batch", data={"seller_ids": "abc"}).status_code == 400
    bad_minimum = officer_client.post("/petugas/pembayaran/batch", data={"mode": "all", "minimum": "banyak"})
    assert bad_minimum.status_code == 400 and 'id="minimum-error-1"' in bad_minimum.text
    assert officer_client.get("/petugas/pembayaran/batch/999").status_code == 404
    assert officer_client.post("/petugas/pembayaran/999/batal", data={"reason": "x"}).status_code == 404


def test_buyers_and_producers_cannot_reach_payouts(buyer_client, seller_client):
    assert buyer_client.get("/petugas/pembayaran").status_code == 403
    assert seller_client.get("/petugas/pembayaran").status_code == 403


def test_only_admins_change_the_settings(session, officer_client, admin_client):
    assert officer_client.get("/petugas/pembayaran/pengaturan").status_code == 403

    bad = admin_client.post("/petugas/pembayaran/pengaturan", data={"commission": "2,555", "payout_minimum": "0"})
    assert bad.status_code == 400
    saved = admin_client.post("/petugas/pembayaran/pengaturan",
                              data={"commission": "2,5", "hold_until_delivered": "y", "payout_minimum": "Rp 50.000"})

    assert saved.status_code == 303
    assert ledger.get_settings(session) == ledger.Settings(250, True, 50_000)
    assert session.query(AuditLog).filter_by(action="settlement.settings_changed").count() == 1


def test_admin_sets_a_producers_rate_and_adjusts_their_balance(session, owed, admin_client, officer_client):
    sri = owed[0]
    assert officer_client.get(f"/petugas/penjual/{sri.id}/saldo").status_code == 200
    assert officer_client.post(f"/petugas/penjual/{sri.id}/koreksi", data={}).status_code == 403

    assert admin_client.post(f"/petugas/penjual/{sri.id}/komisi", data={"commission": "1"}).status_code == 303
    no_reason = admin_client.post(f"/petugas/penjual/{sri.id}/koreksi", data={"amount": "5.000", "credit": "y"})
    assert no_reason.status_code == 400
    taken = admin_client.post(f"/petugas/penjual/{sri.id}/koreksi",
                              data={"amount": "5.000", "reason": "Ongkir dobel"})

    assert taken.status_code == 303
    session.expire_all()
    assert sri.commission_bps == 100
    assert ledger.balance(session, sri.id).total == 145_000


def test_csv_cells_cannot_run_as_spreadsheet_formulas(session, officer):
    sneaky = factories.make_seller(session, shop_name="=HYPERLINK(1)", bank_name="BRI",
                                   bank_account_number="1234567", bank_account_holder="@Ani")
    owe(session, sneaky, 10_000)
    result = payouts.create_batch(session, actor_id=officer.id, seller_ids=[sneaky.id])

    row = next(csv.DictReader(io.StringIO(payouts.batch_csv(result.batch))))

    assert (row["shop_name"], row["account_holder"]) == ("'=HYPERLINK(1)", "'@Ani")


def test_admin_pages_render_with_their_forms(session, owed, admin_client):
    sri = owed[0]

    ledger_page = admin_client.get(f"/petugas/penjual/{sri.id}/saldo")
    settings_page = admin_client.get("/petugas/pembayaran/pengaturan")

    assert ledger_page.status_code == 200 and 'name="reason"' in ledger_page.text
    assert settings_page.status_code == 200 and 'name="commission"' in settings_page.text
