"""The producer's balance page, payout pages and bank account form."""
from marketplace.services import orders, payouts
from marketplace.services.order_states import OFFICER
from tests import factories


def owe(session, seller, amount):
    product = factories.make_product(session, seller=seller, price=amount)
    order = factories.place_order(session, [(product, 1)], payment="transfer")
    orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER)
    return order


def with_bank(session, seller):
    seller.bank_name, seller.bank_account_number, seller.bank_account_holder = "BNI", "55512345", "Sri"
    session.commit()
    return seller


def test_producer_sees_balance_payout_with_reference_and_the_sales_it_came_from(session, seller, seller_client,
                                                                             officer):
    order = owe(session, with_bank(session, seller), 75_000)
    payout = payouts.create_batch(session, actor_id=officer.id, seller_ids=[seller.id]).created[0]
    payouts.mark_sent(session, payout.id, bank_reference="BNI-778899", actor_id=officer.id)

    page = seller_client.get("/penjual/saldo")
    detail = seller_client.get(f"/penjual/saldo/pembayaran/{payout.id}")

    assert page.status_code == 200
    assert "BNI-778899" in page.text and order.number in page.text
    assert detail.status_code == 200
    assert "Rp 75.000" in detail.text and order.number in detail.text and "BNI-778899" in detail.text


def test_another_producers_payout_is_not_found(session, seller, other_seller, seller_client, officer):
    owe(session, with_bank(session, other_seller), 20_000)
    payout = payouts.create_batch(session, actor_id=officer.id, seller_ids=[other_seller.id]).created[0]

    response = seller_client.get(f"/penjual/saldo/pembayaran/{payout.id}")

    assert response.status_code == 404
    assert other_seller.shop_name not in response.text


def test_balance_page_shows_only_the_producers_own_entries(session, seller, other_seller, seller_client):
    mine, theirs = owe(session, seller, 30_000), owe(session, other_seller, 45_000)

    page = seller_client.get("/penjual/saldo")

    assert mine.number in page.text
    assert theirs.number not in page.text


def test_producer_saves_bank_details_and_bad_numbers_are_refused(session, seller, seller_client):
    bad = seller_client.post("/penjual/rekening", data={"bank_name": "BRI", "bank_account_number": "12ab",
                                                        "bank_account_holder": "Sri"})
    assert bad.status_code == 400

    saved = seller_client.post("/penjual/rekening", data={"bank_name": "BRI", "bank_account_number": "0123-4567-89",
                                                          "bank_account_holder": "  Sri   Wahyuni "})

    assert saved.status_code == 303
    session.expire_all()
    assert (seller.bank_name, seller.bank_account_number, seller.bank_account_holder) == \
        ("BRI", "0123456789", "Sri Wahyuni")


def test_balance_pages_are_for_producers_only(buyer_client, client):
    assert buyer_client.get("/penjual/saldo").status_code == 403
    assert client.get("/penjual/saldo").status_code in (302, 401)
