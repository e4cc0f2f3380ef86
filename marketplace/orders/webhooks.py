"""Stripe's webhook endpoint: verified on the raw body, applied exactly once."""
from __future__ import annotations

from flask import current_app, jsonify, request

from marketplace.extensions import csrf, db
from marketplace.orders.routes import bp
from marketplace.services import payments


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    settings = payments.StripeSettings.from_config(current_app.config)
    try:
        outcome = payments.handle_stripe_webhook(
            db.session, request.get_data(cache=False), request.headers.get("Stripe-Signature"), settings
        )
    except payments.WebhookRejected:
        return jsonify(error="invalid signature or payload"), 400
    except payments.PaymentError as error:
        # Nothing was saved (e.g. Stripe refused the refund of a late payment): Stripe retries later.
        db.session.rollback()
        current_app.logger.warning("stripe webhook not applied: %s", error.code)
        return jsonify(error="not applied, retry later"), 503
    current_app.logger.info("stripe webhook: %s", outcome)
    return jsonify(received=True, outcome=outcome)
