"""`flask expire-orders`: expire unpaid orders past their deadline (cron, every minute)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from marketplace.extensions import db
from marketplace.orders.routes import bp
from marketplace.services import notifications, payments


@click.command("expire-orders")
@with_appcontext
def expire_orders_command() -> None:
    """Expire unpaid card and transfer orders, give their stock back and cancel their card
    payments at Stripe.

    Safe to run from cron every minute, even twice at once: each order is expired by
    exactly one run.
    """
    expired = payments.expire_orders(db.session, payments.StripeSettings.from_config(current_app.config))
    for order_id in expired:
        notifications.notify_events(db.session, order_id)
    click.echo(f"Expired {len(expired)} unpaid order(s).")


@bp.record_once
def _register(state) -> None:
    state.app.cli.add_command(expire_orders_command)
