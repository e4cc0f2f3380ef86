"""Card payments through Stripe (localstripe) and the webhook: signatures, duplicates, order of events."""
import hashlib
import hmac
import json
import time
import urllib.request

import pytest

from marketplace.models import (
    AuditLog, EntryKind, LedgerEntry, Order, OrderStatus, PartStatus, Payment, PaymentStatus, Product, StripeEvent,
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


def test_payment_confirmed_by_the_webhook_mails_the_buyer_and_the_producer_once(app, client, session, stripe_config,
                                                                                 card_order, mail_outbox):
    payments.start_card_payment(session, card_order, _settings(app))
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id
    payload = _event("evt_mail", "payment_intent.succeeded", intent_id, card_order.total * 100)

    _post_event(client, payload)
    _post_event(client, payload)

    producer_email = card_order.parts[0].seller.user.email
    assert sorted(mail.to for mail in mail_outbox) == sorted([card_order.buyer_email, producer_email])


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


@pytest.mark.parametrize("event_id, intent_id", [("\x00", "pi_x"), ("evt_1", "pi_\x00"), ("evt\n1", "pi_x")])
def test_an_event_with_control_characters_in_its_ids_is_refused(client, session, stripe_config, event_id,
                                                                   intent_id):
    response = _post_event(client, _event(event_id, "payment_intent.succeeded", intent_id, 100))

    assert response.status_code == 400
    assert session.query(StripeEvent).count() == 0


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


# ---- a card payment that arrives after the order expired -----------------------------------

LATER = 31   # minutes: past the card expiry


def _intent(settings, intent_id):
    return settings.client().v1.payment_intents.retrieve(intent_id).to_dict()


def _expire(app, session, order):
    from datetime import timedelta

    from marketplace.models import utcnow
    return payments.expire_orders(session, _settings(app), now=utcnow() + timedelta(minutes=LATER))


def test_expiry_cancels_the_card_payment_at_stripe(app, session, stripe_config, card_order):
    settings = _settings(app)
    payments.start_card_payment(session, card_order, settings)
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id

    assert _expire(app, session, card_order) == [card_order.id]

    assert _intent(settings, intent_id)["status"] == "canceled"
    with pytest.raises(payments.stripe.StripeError):
        _pay_like_the_browser(settings, intent_id)
    session.expire_all()
    assert session.get(Order, card_order.id).status == OrderStatus.EXPIRED


def test_expiry_happens_even_when_stripe_refuses_to_cancel(app, session, stripe_config, card_order, caplog):
    settings = _settings(app)
    payments.start_card_payment(session, card_order, settings)
    intent_id = session.query(Payment).filter_by(order_id=card_order.id).one().stripe_payment_intent_id
    _pay_like_the_browser(settings, intent_id)   # paid at Stripe a moment before the deadline, not yet seen

    with caplog.at_level("WARNING", logger="marketplace.services.payments"):
        assert _expire(app, session, card_order) == [card_order.id]

    assert "payment intent not cancelled at expiry" in caplog.text
    assert _intent(settings, intent_id)["status"] == "succeeded"
    session.expire_all()
    assert session.get(Order, card_order.id).status == OrderStatus.EXPIRED


def _paid_late(app, session, order):
    """The buyer paid at Stripe, then the order expired before the marketplace heard of it."""
    settings = _settings(app)
    order.language = "en"
    session.commit()
    payments.start_card_payment(session, order, settings)
    intent_id = session.query(Payment).filter_by(order_id=order.id).one().stripe_payment_intent_id
    _pay_like_the_browser(settings, intent_id)
    assert _expire(app, session, order) == [order.id]
    return intent_id


@pytest.mark.parametrize("via", ["webhook", "return_page"])
def test_late_payment_for_goods_sold_meanwhile_is_refunded_in_full(app, client, session, stripe_config, card_order,
                                                                  mail_outbox, via):
    settings = _settings(app)
    intent_id = _paid_late(app, session, card_order)
    product = card_order.parts[0].lines[0].product
    factories.place_order(session, [(product, 4)], payment="transfer")   # only 1 left: the 2 ordered are gone
    mail_outbox.clear()

    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"

    if via == "webhook":
        payload = _event("evt_late", "payment_intent.succeeded", intent_id, card_order.total * 100)
        assert _post_event(client, payload).json["outcome"] == "paid"
    else:
        returned = client.get(f"/pesanan/o/{card_order.access_token}/kartu-selesai", follow_redirects=True)
        assert "Payment received" not in returned.get_data(as_text=True)

    session.expire_all()
    order = session.get(Order, card_order.id)
    payment = order.payments[0]
    assert order.status == OrderStatus.REFUNDED and order.paid_at is not None
    assert [part.status for part in order.parts] == [PartStatus.REFUNDED]
    assert order.parts[0].payment_confirmed_at is None
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 150_000)
    assert payment.confirmed_at is not None and payment.stripe_fee is not None
    assert session.query(LedgerEntry).filter_by(seller_order_id=order.parts[0].id).count() == 0
    assert _intent(settings, intent_id)["charges"]["data"][0]["amount_refunded"] == 150_000 * 100
    audit = session.query(AuditLog).filter_by(action="order.late_payment_refunded").one()
    assert json.loads(audit.details)["amount"] == 150_000
    assert session.get(Product, product.id).stock == 1
    buyer_mails = [mail for mail in mail_outbox if mail.to == order.buyer_email]
    assert len(buyer_mails) == 1
    assert order.number in buyer_mails[0].subject
    assert "no longer available" in buyer_mails[0].body and "Rp 150.000" in buyer_mails[0].body
    assert "back to the card" in buyer_mails[0].body

    page = client.get(f"/pesanan/o/{order.access_token}").get_data(as_text=True)
    assert "were no longer available, so we refunded your payment" in page
    assert "Money refunded" in page and "Rp 150.000" in page


def test_late_payment_is_refunded_once_when_stripe_tells_again(app, client, session, stripe_config, card_order,
                                                              mail_outbox):
    settings = _settings(app)
    intent_id = _paid_late(app, session, card_order)
    factories.place_order(session, [(card_order.parts[0].lines[0].product, 5)], payment="transfer")
    payload = _event("evt_late_1", "payment_intent.succeeded", intent_id, card_order.total * 100)
    retry = _event("evt_late_2", "payment_intent.succeeded", intent_id, card_order.total * 100)
    assert _post_event(client, payload).json["outcome"] == "paid"
    mail_outbox.clear()

    assert _post_event(client, retry).json["outcome"] == "already_paid"
    assert payments.sync_card_payment(session, session.get(Order, card_order.id), settings) is False

    session.expire_all()
    assert session.get(Order, card_order.id).payments[0].refunded_amount == 150_000
    assert _intent(settings, intent_id)["charges"]["data"][0]["amount_refunded"] == 150_000 * 100
    assert session.query(AuditLog).filter_by(action="order.late_payment_refunded").count() == 1
    assert mail_outbox == []


def test_late_payment_revives_the_order_when_the_goods_are_still_there(app, session, stripe_config, card_order,
                                                                       officer_client, mail_outbox):
    settings = _settings(app)
    intent_id = _paid_late(app, session, card_order)
    mail_outbox.clear()

    assert payments.sync_card_payment(session, session.get(Order, card_order.id), settings) is True

    session.expire_all()
    order = session.get(Order, card_order.id)
    part, payment = order.parts[0], order.payments[0]
    assert order.status == OrderStatus.PAID and part.status == PartStatus.NEW
    assert part.payment_confirmed_at is not None
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.confirmed_at is not None and payment.stripe_fee == 0
    assert session.get(Product, part.lines[0].product_id).stock == 3
    entries = session.query(LedgerEntry).filter_by(seller_order_id=part.id).all()
    assert [(entry.kind, entry.gross) for entry in entries] == [(EntryKind.SALE, 150_000)]
    assert _intent(settings, intent_id)["charges"]["data"][0]["amount_refunded"] == 0

    # An officer can refund it like any paid order, through Stripe.
    response = officer_client.post(f"/pesanan/petugas/bagian/{part.id}/refund",
                                   data={"amount": "Rp 30.000", "reason": "Satu rusak"})

    assert response.status_code == 303
    session.expire_all()
    payment = session.get(Order, card_order.id).payments[0]
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, 30_000)
    assert _intent(settings, intent_id)["charges"]["data"][0]["amount_refunded"] == 30_000 * 100
    assert session.query(LedgerEntry).filter_by(seller_order_id=part.id, kind=EntryKind.REVERSAL).one().amount \
        == -30_000
    refund_mails = [mail for mail in mail_outbox if mail.subject.startswith("Refund for order")]
    assert len(refund_mails) == 1 and "Rp 30.000" in refund_mails[0].body


def test_expire_orders_command_cancels_the_card_payment_at_stripe(app, session, stripe_config):
    from datetime import timedelta

    from marketplace.models import utcnow
    product = factories.make_product(session, price=75_000, stock=5)
    order = factories.place_order(session, [(product, 1)], payment="card", now=utcnow() - timedelta(hours=1))
    payments.start_card_payment(session, order, _settings(app))
    intent_id = session.query(Payment).filter_by(order_id=order.id).one().stripe_payment_intent_id

    result = app.test_cli_runner().invoke(args=["expire-orders"])

    assert result.exit_code == 0, result.output
    assert _intent(_settings(app), intent_id)["status"] == "canceled"


def test_late_payment_revives_the_parts_still_in_stock_and_refunds_the_others(app, client, session, stripe_config,
                                                                              mail_outbox):
    settings = _settings(app)
    kept = factories.make_product(session, price=50_000, stock=5)
    gone = factories.make_product(session, seller=factories.make_seller(session, shop_name="Toko Habis"),
                                  price=30_000, stock=1)
    order = factories.place_order(session, [(kept, 1), (gone, 1)], payment="card")
    intent_id = _paid_late(app, session, order)
    factories.place_order(session, [(gone, 1)], payment="transfer")
    mail_outbox.clear()

    client.get(f"/pesanan/o/{order.access_token}/kartu-selesai")   # the return page

    session.expire_all()
    order = session.get(Order, order.id)
    kept_part, gone_part = order.parts
    assert order.status == OrderStatus.PAID
    assert (kept_part.status, gone_part.status) == (PartStatus.NEW, PartStatus.REFUNDED)
    assert (order.payments[0].status, order.payments[0].refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED,
                                                                            30_000)
    assert _intent(settings, intent_id)["charges"]["data"][0]["amount_refunded"] == 30_000 * 100
    assert [(entry.seller_order_id, entry.gross) for entry in session.query(LedgerEntry)] == [(kept_part.id, 50_000)]
    to_buyer = sorted(mail.subject for mail in mail_outbox if mail.to == order.buyer_email)
    assert to_buyer == [f"Payment for order {order.number} received", f"Refund for order {order.number}"]


def test_an_event_that_cannot_be_applied_now_asks_stripe_to_retry(app, client, session, stripe_config, monkeypatch):
    def refund_refused(*args, **kwargs):
        raise payments.PaymentError("refund_failed")

    monkeypatch.setattr(payments, "handle_stripe_webhook", refund_refused)
    response = _post_event(client, _event("evt_retry", "payment_intent.succeeded", "pi_x", 100))
    assert response.status_code == 503
