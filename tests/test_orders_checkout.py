"""Checkout service: server-side totals, delivery fees, problems shown, stock reserved, numbering."""
from datetime import datetime, timezone

import pytest

from marketplace.models import DeliveryMethod, Order, OrderStatus, PartStatus, PaymentMethod, Product
from marketplace.services import checkout
from tests import factories


@pytest.fixture
def two_producers(session):
    tani = factories.make_seller(session, shop_name="Tani Organik Garum")
    anyam = factories.make_seller(session, shop_name="Anyaman Bu Sri")
    factories.set_delivery(session, tani, local_fee=10_000, courier=(8_000, 15_000, 30_000))
    factories.set_delivery(session, anyam, pickup=True)
    beras = factories.make_product(session, seller=tani, name="Beras Organik", price=16_000, stock=20,
                                   unit="kg", weight_grams=1000)
    tas = factories.make_product(session, seller=anyam, name="Tas Anyaman", price=75_000, stock=3,
                                 weight_grams=400)
    return tani, anyam, beras, tas


def test_order_from_two_producers_is_split_with_server_side_totals(session, two_producers, monkeypatch):
    tani, anyam, beras, tas = two_producers
    monkeypatch.setattr(checkout.secrets, "choice", lambda free_codes: free_codes[-1])  # the transfer code drawn
    order = factories.place_order(
        session, [(beras, 3), (tas, 1)], payment="transfer",
        deliveries={tani.id: DeliveryMethod.COURIER, anyam.id: DeliveryMethod.PICKUP},
        address=checkout.Address(regency_code="35.78", regency_name="Kota Surabaya", street="Jl. Tunjungan 1"),
    )

    assert order.number.startswith("PLB-")
    assert [p.seller_id for p in sorted(order.parts, key=lambda p: p.seller_id)] == sorted([tani.id, anyam.id])
    courier_part = next(p for p in order.parts if p.seller_id == tani.id)
    # 3 kg to elsewhere in Jawa Timur at Rp 15.000 per started kilogram.
    assert courier_part.delivery_fee == 45_000
    assert courier_part.subtotal == 48_000
    assert order.subtotal == 48_000 + 75_000
    assert order.shipping_total == 45_000
    assert order.unique_code == 999
    assert order.total == 48_000 + 75_000 + 45_000 + 999
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert all(p.status == PartStatus.AWAITING_PAYMENT for p in order.parts)
    session.expire_all()
    assert session.get(Product, beras.id).stock == 17
    assert session.get(Product, tas.id).stock == 2


def test_changed_price_is_shown_not_charged(session, two_producers):
    _tani, _anyam, beras, _tas = two_producers
    lines = [checkout.CartLine(beras.id, 1, price_seen=15_000)]

    with pytest.raises(checkout.CheckoutRefused) as refused:
        checkout.place_order(
            session, lines, buyer=checkout.Buyer("Tamu", "t@example.id", "+6281234567890"),
            address=checkout.Address(regency_code="35.05"), deliveries={beras.seller_id: DeliveryMethod.PICKUP},
            payment_method=PaymentMethod.CASH, expiry_minutes={},
        )

    assert [(p.code, p.old, p.new) for p in refused.value.problems] == [("price_changed", 15_000, 16_000)]
    assert session.query(Order).count() == 0
    session.expire_all()
    assert session.get(Product, beras.id).stock == 20


def test_more_than_stock_is_refused_and_nothing_written(session, two_producers):
    tani, anyam, beras, tas = two_producers
    with pytest.raises(checkout.CheckoutRefused) as refused:
        factories.place_order(session, [(beras, 1), (tas, 4)])
    assert [p.code for p in refused.value.problems] == ["out_of_stock"]
    session.expire_all()
    assert session.query(Order).count() == 0
    assert session.get(Product, beras.id).stock == 20


def test_delivery_not_offered_by_producer_is_refused(session, two_producers):
    _tani, anyam, _beras, tas = two_producers
    with pytest.raises(checkout.CheckoutRefused) as refused:
        factories.place_order(session, [(tas, 1)], deliveries={anyam.id: DeliveryMethod.COURIER})
    assert refused.value.problems[0].code == "delivery"


def test_local_delivery_only_inside_blitar(session, two_producers):
    tani, _anyam, beras, _tas = two_producers
    outside = checkout.Address(regency_code="", regency_name="Kota Bandung")
    with pytest.raises(checkout.CheckoutRefused):
        factories.place_order(session, [(beras, 1)], deliveries={tani.id: DeliveryMethod.LOCAL}, address=outside)
    order = factories.place_order(session, [(beras, 1)], deliveries={tani.id: DeliveryMethod.LOCAL},
                                  address=checkout.Address(regency_code="35.72", regency_name="Kota Blitar"))
    assert order.shipping_total == 10_000


def test_cash_order_starts_fulfilment_without_payment_and_never_expires(session, two_producers):
    _tani, _anyam, _beras, tas = two_producers
    order = factories.place_order(session, [(tas, 1)], payment="cash")
    assert order.status == OrderStatus.PLACED
    assert order.parts[0].status == PartStatus.NEW
    assert order.expires_at is None
    assert order.unique_code == 0
    assert order.payments == []


def test_unpublished_or_suspended_products_cannot_be_bought(session, two_producers):
    _tani, anyam, _beras, tas = two_producers
    anyam.status = factories.SellerStatus.SUSPENDED
    session.commit()
    with pytest.raises(checkout.CheckoutRefused) as refused:
        factories.place_order(session, [(tas, 1)])
    assert refused.value.problems[0].code == "unavailable"


def test_order_numbers_are_sequential_per_year_in_wib(session, two_producers):
    _tani, _anyam, beras, _tas = two_producers
    # 31 Dec 2026 18:00 UTC is already 1 Jan 2027 in WIB.
    first = factories.place_order(session, [(beras, 1)], payment="cash",
                                  now=datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc))
    second = factories.place_order(session, [(beras, 1)], payment="cash",
                                   now=datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc))
    third = factories.place_order(session, [(beras, 1)], payment="cash",
                                  now=datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc))
    assert [first.number, second.number, third.number] == ["PLB-2026-000001", "PLB-2026-000002", "PLB-2027-000001"]


def test_empty_cart_is_refused(session):
    with pytest.raises(checkout.CheckoutRefused) as refused:
        factories.place_order(session, [])
    assert refused.value.problems[0].code == "empty"
