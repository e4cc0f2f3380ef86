"""Cart service: guest and buyer carts, stock limits, price changes, merge at login, reviews."""
import pytest

from marketplace.models import CartItem, PartStatus
from marketplace.services import cart, catalog, checkout, orders, reviews
from marketplace.services.order_states import BUYER, SELLER
from tests import factories


@pytest.fixture
def product(session):
    return factories.make_product(session, price=30_000, stock=4)


def test_guest_cart_adds_up_and_is_limited_by_stock(session, product):
    guest = {}
    assert cart.guest_set(session, guest, product.id, 3, add=True).limited_by_stock is False
    result = cart.guest_set(session, guest, product.id, 3, add=True)
    assert (result.quantity, result.limited_by_stock) == (4, True)
    assert cart.guest_lines(guest) == [checkout.CartLine(product.id, 4, 30_000)]


def test_tampered_guest_cart_entries_are_ignored(session, product):
    guest = {"abc": {"q": 1, "p": 1}, str(product.id): {"q": "x"}, "7": "nonsense"}
    assert cart.guest_lines(guest) == []


def test_drafts_and_sold_out_products_cannot_be_added(session, product):
    draft = factories.make_product(session, status=factories.ProductStatus.DRAFT)
    sold_out = factories.make_product(session, stock=0)
    with pytest.raises(cart.CartError) as unavailable:
        cart.guest_set(session, {}, draft.id, 1, add=True)
    with pytest.raises(cart.CartError) as empty:
        cart.guest_set(session, {}, sold_out.id, 1, add=True)
    with pytest.raises(cart.CartError) as bad:
        cart.guest_set(session, {}, product.id, 0, add=True)
    assert (unavailable.value.code, empty.value.code, bad.value.code) == ("unavailable", "out_of_stock",
                                                                          "bad_quantity")


def test_price_change_since_adding_shows_until_accepted(session, buyer, product):
    cart.user_set(session, buyer.id, product.id, 1, add=True)
    product.price = 35_000
    session.commit()

    quote = checkout.build_quote(session, cart.user_lines(session, buyer.id))
    assert [(p.code, p.old, p.new) for p in quote.problems] == [("price_changed", 30_000, 35_000)]

    cart.accept_current_prices(session, buyer.id, None)
    assert checkout.build_quote(session, cart.user_lines(session, buyer.id)).problems == []


def test_guest_cart_merges_into_the_buyers_at_login(session, buyer, product):
    other = factories.make_product(session, price=10_000, stock=10)
    cart.user_set(session, buyer.id, product.id, 2, add=True)
    guest = {}
    cart.guest_set(session, guest, product.id, 3, add=True)
    cart.guest_set(session, guest, other.id, 1, add=True)

    assert cart.merge_guest_cart(session, buyer.id, guest) == 2

    assert guest == {}
    lines = {line.product_id: line.quantity for line in cart.user_lines(session, buyer.id)}
    assert lines == {product.id: 4, other.id: 1}


def test_removing_and_clearing(session, buyer, product):
    cart.user_set(session, buyer.id, product.id, 1, add=True)
    cart.user_remove(session, buyer.id, product.id)
    assert session.query(CartItem).count() == 0


def test_review_only_after_completion_and_once_per_line(session, buyer, product):
    order = factories.place_order(session, [(product, 1)], payment="cash", buyer_user=buyer)
    part = order.parts[0]
    line = part.lines[0]
    with pytest.raises(reviews.ReviewRefused) as early:
        reviews.add_review(session, line, rating=5, body="Bagus", author_name=buyer.name, buyer_id=buyer.id)
    assert early.value.code == "not_completed"

    for status in (PartStatus.PACKING, PartStatus.READY_FOR_PICKUP, PartStatus.DELIVERED):
        orders.advance_part(session, part.id, status, actor_role=SELLER, actor_id=None)
    orders.record_cash_received(session, part.id, actor_id=None)
    orders.advance_part(session, part.id, PartStatus.COMPLETED, actor_role=BUYER, actor_id=buyer.id)

    reviews.add_review(session, line, rating=4, body="Rapi sekali", author_name=buyer.name, buyer_id=buyer.id)
    with pytest.raises(reviews.ReviewRefused) as twice:
        reviews.add_review(session, line, rating=1, body="lagi", author_name=buyer.name, buyer_id=buyer.id)
    assert twice.value.code == "already_reviewed"
    with pytest.raises(reviews.ReviewRefused):
        reviews.add_review(session, line, rating=9, body="", author_name="x", buyer_id=None)
    _, summary = catalog.product_page(session, product.slug)
    assert (summary.count, summary.average) == (1, 4.0)
