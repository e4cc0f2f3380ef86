"""Cart and checkout views. Order pages, fulfilment and the webhook live in sibling modules."""
from __future__ import annotations

from flask import (
    Blueprint, abort, current_app, flash, get_template_attribute, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in
from wtforms import SelectChoice

from marketplace.extensions import db
from marketplace.fields import parse_whole_number
from marketplace.i18n import current_language
from marketplace.models import DeliveryMethod, PaymentMethod
from marketplace.orders.forms import CartQuantityForm, CheckoutContactForm, CheckoutPlaceForm
from marketplace.page_cache import register_visitor_part
from marketplace.security import limit_checkout
from marketplace.services import cart as cart_service
from marketplace.services import checkout, notifications, payments
from marketplace.urls import safe_next_url

bp = Blueprint("orders", __name__)

GUEST_CART_KEY = "cart"
CHECKOUT_KEY = "checkout"


def _guest_cart() -> dict:
    return session.setdefault(GUEST_CART_KEY, {})


def cart_lines() -> list[checkout.CartLine]:
    if current_user.is_authenticated:
        return cart_service.user_lines(db.session, current_user.id)
    # Reading leaves the session alone: a visitor who never added anything keeps a neutral one.
    return cart_service.guest_lines(session.get(GUEST_CART_KEY) or {})


@user_logged_in.connect
def _merge_cart_at_login(app, user, **_extra) -> None:
    guest = session.get(GUEST_CART_KEY)
    if guest:
        cart_service.merge_guest_cart(db.session, user.id, guest)
        session.modified = True


def cart_count() -> int:
    """Items in the visitor's cart, for the header's badge."""
    try:
        return sum(line.quantity for line in cart_lines())
    except Exception:  # never let the badge break a page (e.g. an error page after a DB failure)
        return 0


def _cart_link() -> str:
    """The header's cart link; the same for every visitor with as many items, so each process
    renders it once per language and count (it is on every page, cached ones included)."""
    count = cart_count()
    key = (current_language(), request.script_root, count)
    known = current_app.extensions.setdefault("cart_links", {})
    html = known.get(key)
    if html is None:
        html = str(get_template_attribute("_cart_link.html", "cart_link")(count))
        if count <= 99:
            known[key] = html
    return html


register_visitor_part("cart", _cart_link)


CART_MESSAGES = {
    "unavailable": lambda: _("This product is not for sale any more."),
    "out_of_stock": lambda: _("Sorry, this product is out of stock (stok habis)."),
    "bad_quantity": lambda: _("Enter a quantity from 1 to 999."),
}

PROBLEM_MESSAGES = {
    "price_changed": lambda p, names: _("The price of %(name)s changed from %(old)s to %(new)s.",
                                        name=names.get(p.product_id, ""), old=_rupiah(p.old), new=_rupiah(p.new)),
    "out_of_stock": lambda p, names: _("Only %(count)s left of %(name)s (stok habis for the rest).",
                                       count=p.new if p.new is not None else 0, name=names.get(p.product_id, "")),
    "unavailable": lambda p, names: _("A product in your cart is no longer for sale; it was left out."),
    "delivery": lambda p, names: _("Choose a delivery option for every producer."),
    "cash_not_offered": lambda p, names: _("A producer in your order does not accept cash payment."),
    "empty": lambda p, names: _("Your cart is empty."),
}


def _rupiah(amount) -> str:
    from marketplace.formatting import format_rupiah

    return format_rupiah(amount)


def problem_messages(quote_problems, parts=()) -> list[str]:
    names = {line.product.id: line.product.name for part in parts for line in part.lines}
    messages = []
    for problem in quote_problems:
        text = PROBLEM_MESSAGES.get(problem.code, PROBLEM_MESSAGES["empty"])(problem, names)
        if text not in messages:
            messages.append(text)
    return messages


@bp.route("/keranjang")
def cart():
    quote = checkout.build_quote(db.session, cart_lines())
    return render_template("orders/cart.html", quote=quote,
                           problems=problem_messages(quote.problems, quote.parts),
                           price_changed=any(p.code == "price_changed" for p in quote.problems))


def _product_id(raw: str | None) -> int | None:
    """A posted product id, or None when it is not one (a tampered form)."""
    return parse_whole_number(raw)


def _set_quantity(add: bool):
    form = CartQuantityForm()
    target = safe_next_url(form.next.data, "orders.cart")
    product_id = _product_id(form.product_id.data)
    if not form.validate_on_submit() or product_id is None:
        flash(_("Enter a quantity from 1 to 999."), "error")
        return redirect(target), 303
    quantity = form.quantity.data
    try:
        if not add and quantity == 0:
            _remove(product_id)
            return redirect(target), 303
        if current_user.is_authenticated:
            result = cart_service.user_set(db.session, current_user.id, product_id, quantity, add=add)
        else:
            result = cart_service.guest_set(db.session, _guest_cart(), product_id, quantity, add=add)
            session.modified = True
    except cart_service.CartError as error:
        flash(CART_MESSAGES[error.code](), "error")
        return redirect(target), 303
    if result.limited_by_stock:
        flash(_("Only %(count)s in stock: your cart holds that many now.", count=result.quantity), "warning")
    elif add:
        flash(_("Added to your cart."), "success")
    return redirect(target), 303


@bp.route("/keranjang/tambah", methods=["POST"])
def cart_add():
    return _set_quantity(add=True)


@bp.route("/keranjang/ubah", methods=["POST"])
def cart_update():
    return _set_quantity(add=False)


def _remove(product_id: int) -> None:
    if current_user.is_authenticated:
        cart_service.user_remove(db.session, current_user.id, product_id)
    else:
        cart_service.guest_remove(_guest_cart(), product_id)
        session.modified = True
    flash(_("Removed from your cart."), "success")


@bp.route("/keranjang/hapus", methods=["POST"])
def cart_remove():
    product_id = _product_id(request.form.get("product_id"))
    if product_id is None:
        abort(400, _("That product is not in your cart."))
    _remove(product_id)
    return redirect(url_for("orders.cart")), 303


@bp.route("/keranjang/terima-harga", methods=["POST"])
def cart_accept_prices():
    user_id = current_user.id if current_user.is_authenticated else None
    guest = None if user_id else _guest_cart()
    cart_service.accept_current_prices(db.session, user_id, guest)
    session.modified = True
    flash(_("Your cart now shows the current prices."), "success")
    return redirect(url_for("orders.cart")), 303


# ---- checkout -------------------------------------------------------------------------------

def _stripe_settings() -> payments.StripeSettings:
    return payments.StripeSettings.from_config(current_app.config)


def _address_from_session(data: dict) -> checkout.Address:
    region = data.get("region", "")
    regency_name = data.get("regency_name") or {"35.05": "Kabupaten Blitar", "35.72": "Kota Blitar"}.get(region, "")
    return checkout.Address(
        recipient_name=data.get("name", ""), street=data.get("street", ""), desa=data.get("desa", ""),
        kecamatan=data.get("kecamatan", ""), regency_code=region, regency_name=regency_name,
        postal_code=data.get("postal_code", ""),
    )


@bp.route("/checkout", methods=["GET", "POST"])
def checkout_contact():
    lines = cart_lines()
    if not lines:
        flash(_("Your cart is empty."), "warning")
        return redirect(url_for("orders.cart"))
    saved = session.get(CHECKOUT_KEY, {})
    if not saved and current_user.is_authenticated:
        saved = {"name": current_user.name, "email": current_user.email, "phone": current_user.phone or ""}
    form = CheckoutContactForm(data=saved)
    if current_user.is_authenticated:
        form.email.data = current_user.email
    if form.validate_on_submit():
        session[CHECKOUT_KEY] = {name: (field.data or "").strip() for name, field in form._fields.items()
                                 if name != "csrf_token"}
        return redirect(url_for("orders.checkout_delivery")), 303
    status = 400 if form.is_submitted() else 200
    return render_template("orders/checkout_contact.html", form=form), status


def _delivery_field(seller_id: int) -> str:
    return f"delivery-{seller_id}"


@bp.route("/checkout/pengiriman", methods=["GET", "POST"])
@limit_checkout
def checkout_delivery():
    contact = session.get(CHECKOUT_KEY)
    if not contact:
        return redirect(url_for("orders.checkout_contact"))
    lines = cart_lines()
    address = _address_from_session(contact)
    settings = _stripe_settings()
    methods = payments.available_methods(settings)
    form = CheckoutPlaceForm()
    form.payment_method.choices = [SelectChoice(m.value, m.value) for m in methods]

    deliveries: dict[int, DeliveryMethod] = {}
    errors: list[str] = []
    if request.method == "POST":
        for key, value in request.form.items():
            # A multipart part without a name arrives with key None.
            if isinstance(key, str) and key.startswith("delivery-") and key[9:].isdecimal() \
                    and value in DeliveryMethod._value2member_map_:
                deliveries[int(key[9:])] = DeliveryMethod(value)
    else:
        # Preselect each producer's first option so the page shows a total at once.
        for part in checkout.build_quote(db.session, lines, address=address).parts:
            options = part.delivery_options(address.zone)
            if options:
                deliveries[part.seller.id] = next(iter(options))
    quote = checkout.build_quote(db.session, lines, address=address, deliveries=deliveries)
    if not quote.parts:
        flash(_("Your cart is empty."), "warning")
        return redirect(url_for("orders.cart"))
    placing = request.form.get("action") == "place"

    if placing and form.validate_on_submit():
        method = PaymentMethod(form.payment_method.data)
        needs_street = any(d != DeliveryMethod.PICKUP for d in deliveries.values())
        if method == PaymentMethod.CARD and quote.total < settings.minimum_amount:
            # Refused here, before stock is reserved: a placed order cannot change how it is paid.
            from marketplace.orders.buyer import PAYMENT_ERRORS

            errors.append(PAYMENT_ERRORS["below_minimum"](settings.minimum_amount))
        elif needs_street and not (address.street and address.kecamatan and address.regency_name):
            errors.append(_("For delivery, enter your street address, kecamatan and kabupaten / kota; "
                            "or choose pickup."))
        else:
            buyer = checkout.Buyer(
                name=contact["name"], email=contact["email"], phone=contact["phone"],
                user_id=current_user.id if current_user.is_authenticated else None, language=current_language(),
            )
            try:
                order = checkout.place_order(
                    db.session, lines, buyer=buyer, address=address, deliveries=deliveries, payment_method=method,
                    expiry_minutes={PaymentMethod(k): v for k, v in current_app.config["ORDER_EXPIRY_MINUTES"].items()},
                )
            except checkout.CheckoutRefused as refused:
                errors.extend(problem_messages(refused.problems, quote.parts))
            else:
                _after_order_placed(order, [line.product_id for line in lines])
                if method == PaymentMethod.CARD:
                    return redirect(url_for("orders.card_payment", token=order.access_token)), 303
                flash(_("Thank you! Your order %(number)s has been placed.", number=order.number), "success")
                return redirect(url_for("orders.guest_order", token=order.access_token)), 303
    elif placing:
        errors.append(_("Choose how to pay."))

    status = 400 if placing else 200
    return render_template(
        "orders/checkout_delivery.html", form=form, quote=quote, contact=contact, address=address,
        methods=methods, deliveries=deliveries, delivery_field=_delivery_field,
        problems=errors or problem_messages([p for p in quote.problems if p.code != "delivery"], quote.parts),
        minimum=settings.minimum_amount,
    ), status


def _after_order_placed(order, product_ids: list[int]) -> None:
    if current_user.is_authenticated:
        cart_service.user_clear(db.session, current_user.id, product_ids)
    else:
        session.pop(GUEST_CART_KEY, None)
    session.pop(CHECKOUT_KEY, None)
    notifications.notify_events(db.session, order.id)


# Views in sibling modules register themselves on `bp`.
from marketplace.orders import buyer, commands, officer, seller, webhooks  # noqa: E402,F401


@bp.record_once
def _register_labels(state) -> None:
    from marketplace.orders.labels import init_labels

    init_labels(state.app)
