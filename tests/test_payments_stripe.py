"""Card payments through Stripe (localstripe) and the webhook: signatures, duplicates, order of events."""
import hashlib
import hmac
import json
import time
import urllib.request

import pytest

from marketplace.models import (
    AuditLog, EntryKind, LedgerEntry, Order, OrderStatus, PartStatus, Payment, PaymentStatus, StripeEvent,
)
from marketplace.services import payments
from tests import factories

WEBHOOK_URL = "/pesanan/stripe/webhook"


@pytest.fixture
def card_order(session):
    product = factories.make_product(session, price=75_000, stock=5)
    return factories.place_order(session, [(product, 2)], payment="card")


def _settings(app):
    return payments.StripeSettings.from_config(app.config)


def _pay_like_the_browser(settings, intent_id):
    """What Stripe.js does for the buyer: attach a card and confirm the PaymentIntent."""
    client = settings.client()
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    client.v1.payment_intents.confirm(intent_id)


def _signed(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = timestamp or int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _event(event_id, event_type, intent_id, amount, created=None):
    return json.dumps({
        "id": event_id, "object": "event", "type": event_type, "created": created or int(time.time()),
        "data": {"object": {"id": intent_id, "object": "payment_intent", "amount": amount, "currency": "idr",
                            "status": "succeeded" if event_type.endswith("succeeded") else "requires_payment_method"}},
    }).encode()


def _post_event(client, payload, secret="whsec_plb_test", signature=None):
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json",
                       headers={"Stripe-Signature": signature or _signed(payload, secret)})


def test_payment_intent_is_created_once_for_the_order_total_in_stripe_units(app, session, stripe_config, card_order):
    settings = _settings(app)
    secret = payments.start_card_payment(session, card_order, settings)
    again = payments.start_card_payment(session, card_order, settings)

    payment = session.query(Payment).filter_by(order_id=card_order.id).one()
    intent = settings.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert secret == again
    assert intent.amount == 150_000 * 100
    assert intent.currency == "idr"
    assert intent.metadata["order_id"] == str(card_order.id)


def test_amount_below_the_stripe_minimum_is_refused(app, session, stripe_config):
    product = factories.make_product(session, price=2_000, stock=5)
    order = factories.place_order(session, [(product, 1)], payment="card")
    app.config["STRIPE_MINIMUM_AMOUNT"] = 10_000
    with pytest.raises(payments.PaymentError) as refused:
        payments.start_card_payment(session, order, _settings(app))
    assert refused.value.code == "below_minimum"


def test_return_page_sync_marks_paid_without_waiting_for_the_webhook(app, session, stripe_config, card_order):
    settings = _settings(app)
    payments.start_card_payment(session, card_order, settings)
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id
    assert payments.sync_card_payment(session, card_order, settings) is False

    _pay_like_the_browser(settings, intent_id)

    assert payments.sync_card_payment(session, card_order, settings) is True
    session.expire_all()
    order = session.get(Order, card_order.id)
    assert order.status == OrderStatus.PAID
    assert order.payments[0].stripe_fee == 0


def test_full_card_payment_through_the_webhook(app, session, stripe_config, card_order, live_server,
                                               localstripe_url):
    settings = _settings(app)
    register = urllib.request.Request(
        f"{localstripe_url}/_config/webhooks/plb", method="POST",
        data=f"url={live_server}{WEBHOOK_URL}&secret=whsec_plb_test".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer sk_test_plb"},
    )
    urllib.request.urlopen(register, timeout=10).read()
    payments.start_card_payment(session, card_order, settings)
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id

    _pay_like_the_browser(settings, intent_id)

    deadline = time.monotonic() + 15
    status = None
    while time.monotonic() < deadline:
        session.expire_all()
        status = session.get(Order, card_order.id).status
        if status == OrderStatus.PAID:
            break
        time.sleep(0.2)
    assert status == OrderStatus.PAID
    assert session.query(StripeEvent).filter_by(payment_intent_id=intent_id,
                                                event_type="payment_intent.succeeded").count() == 1


def test_duplicate_and_replayed_events_change_the_order_once(app, client, session, stripe_config, card_order):
    payments.start_card_payment(session, card_order, _settings(app))
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id
    payload = _event("evt_1", "payment_intent.succeeded", intent_id, card_order.total * 100)

    first = _post_event(client, payload)
    second = _post_event(client, payload)

    assert first.status_code == 200 and first.json["outcome"] == "paid"
    assert second.status_code == 200 and second.json["outcome"] == "duplicate"
    session.expire_all()
    order = session.get(Order, card_order.id)
    assert order.status == OrderStatus.PAID
    assert len([e for e in order.events if e.to_status == "paid"]) == 1


def test_forged_signature_is_refused_and_changes_nothing(app, client, session, stripe_config, card_order):
    payments.start_card_payment(session, card_order, _settings(app))
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id
    payload = _event("evt_forged", "payment_intent.succeeded", intent_id, card_order.total * 100)

    forged = _post_event(client, payload, secret="whsec_wrong")
    unsigned = client.post(WEBHOOK_URL, data=payload, content_type="application/json")
    garbage = _post_event(client, b"not json at all")

    assert (forged.status_code, unsigned.status_code, garbage.status_code) == (400, 400, 400)
    session.expire_all()
    assert session.get(Order, card_order.id).status == OrderStatus.AWAITING_PAYMENT
    assert session.query(StripeEvent).count() == 0


def test_stale_timestamp_is_refused(app, client, session, stripe_config, card_order):
    payload = _event("evt_old", "payment_intent.succeeded", "pi_x", 100)
    old = _post_event(client, payload, signature=_signed(payload, "whsec_plb_test", int(time.time()) - 3600))
    assert old.status_code == 400


def test_failure_arriving_after_success_does_not_undo_payment(app, client, session, stripe_config, card_order):
    payments.start_card_payment(session, card_order, _settings(app))
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id
    succeeded = _event("evt_ok", "payment_intent.succeeded", intent_id, card_order.total * 100, created=200)
    failed = _event("evt_fail", "payment_intent.payment_failed", intent_id, card_order.total * 100, created=100)

    assert _post_event(client, succeeded).json["outcome"] == "paid"
    assert _post_event(client, failed).json["outcome"] == "failed_after_success"
    session.expire_all()
    order = session.get(Order, card_order.id)
    assert order.status == OrderStatus.PAID
    assert order.parts[0].status == PartStatus.NEW


def test_event_for_an_unknown_order_is_recorded_and_ignored(client, session, stripe_config):
    payload = _event("evt_unknown", "payment_intent.succeeded", "pi_doesnotexist", 100)
    response = _post_event(client, payload)
    assert response.status_code == 200
    assert response.json["outcome"] == "unknown_order"
    assert session.query(StripeEvent).count() == 1


def test_altered_amount_does_not_mark_paid(app, client, session, stripe_config, card_order):
    payments.start_card_payment(session, card_order, _settings(app))
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id
    payload = _event("evt_cheap", "payment_intent.succeeded", intent_id, 100)
    assert _post_event(client, payload).json["outcome"] == "amount_mismatch"
    session.expire_all()
    assert session.get(Order, card_order.id).status == OrderStatus.AWAITING_PAYMENT


def test_card_refund_goes_through_stripe_and_reduces_line_values(app, session, stripe_config, card_order):
    settings = _settings(app)
    payments.start_card_payment(session, card_order, settings)
    payment = session.query(Payment).filter_by(order_id=card_order.id).one()
    _pay_like_the_browser(settings, payment.stripe_payment_intent_id)
    payments.sync_card_payment(session, card_order, settings)
    part = session.get(Order, card_order.id).parts[0]

    payments.refund_part(session, part, amount=25_000, actor_id=None, settings=settings)

    session.expire_all()
    order = session.get(Order, card_order.id)
    assert order.parts[0].lines[0].value == 150_000 - 25_000
    assert order.payments[0].status == PaymentStatus.PARTIALLY_REFUNDED
    intent = settings.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).to_dict()
    assert intent["charges"]["data"][0]["amount_refunded"] == 25_000 * 100


def test_card_is_not_offered_without_keys(app):
    settings = payments.StripeSettings(None, None, None, "http://127.0.0.1:1", 10_000)
    assert payments.PaymentMethod.CARD not in payments.available_methods(settings)


def _refund_event(event_id, intent_id, amount_refunded):
    return json.dumps({
        "id": event_id, "object": "event", "type": "charge.refunded", "created": int(time.time()),
        "data": {"object": {"id": f"ch_{event_id}", "object": "charge", "payment_intent": intent_id,
                            "amount_refunded": amount_refunded * 100, "currency": "idr"}},
    }).encode()


def _paid_by_card(app, session, order):
    settings = _settings(app)
    payments.start_card_payment(session, order, settings)
    payment = session.query(Payment).filter_by(order_id=order.id).one()
    _pay_like_the_browser(settings, payment.stripe_payment_intent_id)
    payments.sync_card_payment(session, order, settings)
    return payment.stripe_payment_intent_id


def test_refund_made_in_the_stripe_dashboard_reverses_the_single_producers_sale(app, client, session, stripe_config,
                                                                               card_order):
    intent_id = _paid_by_card(app, session, card_order)

    response = _post_event(client, _refund_event("evt_dash_1", intent_id, 40_000))
    replay = _post_event(client, _refund_event("evt_dash_2", intent_id, 40_000))

    assert response.json["outcome"] == "refund_recorded" and replay.json["outcome"] == "refund_recorded"
    session.expire_all()
    order = session.get(Order, card_order.id)
    assert order.parts[0].lines[0].value == 150_000 - 40_000
    assert order.payments[0].refunded_amount == 40_000
    assert order.payments[0].status == PaymentStatus.PARTIALLY_REFUNDED
    entries = session.query(LedgerEntry).filter_by(seller_order_id=order.parts[0].id).all()
    assert sorted((entry.kind, entry.amount) for entry in entries) == [
        (EntryKind.REVERSAL, -40_000), (EntryKind.SALE, 150_000)]
    assert session.query(AuditLog).filter_by(action="order.refunded_in_stripe").count() == 1


def test_refund_the_marketplace_made_is_not_counted_again_when_stripe_reports_it(app, client, session, stripe_config,
                                                                                card_order):
    intent_id = _paid_by_card(app, session, card_order)
    part = session.get(Order, card_order.id).parts[0]
    payments.refund_part(session, part, amount=25_000, actor_id=None, settings=_settings(app))

    _post_event(client, _refund_event("evt_echo", intent_id, 25_000))

    session.expire_all()
    order = session.get(Order, card_order.id)
    assert order.parts[0].lines[0].value == 150_000 - 25_000
    assert order.payments[0].refunded_amount == 25_000
    assert session.query(LedgerEntry).filter_by(kind=EntryKind.REVERSAL).count() == 1


def test_dashboard_refund_of_an_order_from_two_producers_is_flagged_for_an_officer(app, client, session,
                                                                                  stripe_config):
    first = factories.make_product(session, price=50_000, stock=5)
    second = factories.make_product(session, seller=factories.make_seller(session, shop_name="Toko Kedua"),
                                    price=30_000, stock=5)
    order = factories.place_order(session, [(first, 1), (second, 1)], payment="card")
    intent_id = _paid_by_card(app, session, order)

    _post_event(client, _refund_event("evt_dash_two", intent_id, 30_000))

    session.expire_all()
    order = session.get(Order, order.id)
    assert [line.value for part in order.parts for line in part.lines] == [50_000, 30_000]
    assert order.payments[0].refunded_amount == 30_000
    assert session.query(LedgerEntry).filter_by(kind=EntryKind.REVERSAL).count() == 0
    flag = session.query(AuditLog).filter_by(action="payment.refunded_in_stripe").one()
    assert flag.subject_id == order.id and json.loads(flag.details)["amount"] == 30_000
