"""Guest buyers: every order without an account points to the guest buyer of its normalised
e-mail address, whichever code creates it, and a part's subtotal is always the sum of its lines
(the programme's indicators count buyers and value sales by these)."""
import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    DeliveryMethod, GuestBuyer, Order, OrderLine, OrderStatus, PartStatus, PaymentMethod, SellerOrder,
)
from marketplace.models.orders import guest_buyer_id
from tests import factories


@pytest.fixture
def bag(session):
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri")
    factories.set_delivery(session, seller, pickup=True)
    return factories.make_product(session, seller=seller, name="Tas Anyaman", price=75_000, stock=10)


def test_guest_orders_of_one_address_share_a_guest_buyer(session, bag):
    first = factories.place_order(session, [(bag, 1)], guest_email="  Sri.Wahyuni@Example.ID ")
    second = factories.place_order(session, [(bag, 1)], guest_email="sri.wahyuni@example.id")

    assert first.guest_buyer_id is not None
    assert second.guest_buyer_id == first.guest_buyer_id
    assert session.get(GuestBuyer, first.guest_buyer_id).email == "sri.wahyuni@example.id"


def test_another_address_is_another_guest_buyer(session, bag):
    first = factories.place_order(session, [(bag, 1)], guest_email="sri@example.id")
    other = factories.place_order(session, [(bag, 1)], guest_email="ani@example.id")

    assert other.guest_buyer_id not in (None, first.guest_buyer_id)
    assert session.scalar(select(func.count()).select_from(GuestBuyer)) == 2


def test_orders_of_an_account_have_no_guest_buyer(session, bag):
    buyer = factories.make_user(session, email="pembeli@example.id")

    order = factories.place_order(session, [(bag, 1)], buyer_user=buyer)

    assert order.buyer_id == buyer.id
    assert order.guest_buyer_id is None
    assert session.scalar(select(func.count()).select_from(GuestBuyer)) == 0


def test_guest_buyer_id_finds_an_address_again_instead_of_adding_it(session):
    connection = session.connection()

    found = {guest_buyer_id(connection, email) for email in ("tamu@example.id", "TAMU@example.id ", "tamu@example.id")}
    session.commit()

    assert len(found) == 1
    assert session.scalars(select(GuestBuyer.email)).all() == ["tamu@example.id"]


def _part(subtotal: int, bag) -> Order:
    order = Order(number="PLB-G-000001", buyer_name="Tamu", buyer_email="tamu@example.id", buyer_phone="+6281234567890",
                  access_token="guest-token", payment_method=PaymentMethod.CASH, status=OrderStatus.PLACED,
                  regency_code="35.05", subtotal=subtotal, total=subtotal)
    part = SellerOrder(seller_id=bag.seller_id, status=PartStatus.NEW, delivery_method=DeliveryMethod.PICKUP,
                       subtotal=subtotal, delivery_fee=0)
    part.lines.append(OrderLine(product_id=bag.id, product_name=bag.name, unit=bag.unit, unit_price=75_000,
                                quantity=2))
    order.parts.append(part)
    return order


def test_a_part_whose_subtotal_is_not_the_sum_of_its_lines_is_refused(session, bag):
    session.add(_part(75_000, bag))

    with pytest.raises(ValueError, match="subtotal"):
        session.flush()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_part_whose_subtotal_is_the_sum_of_its_lines_is_written(session, bag):
    order = _part(150_000, bag)
    session.add(order)
    session.commit()

    assert db.session.get(Order, order.id).guest_buyer_id is not None
