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
    current_app.logger.info("stripe webhook: %s", outcome)
    return jsonify(received=True, outcome=outcome)
