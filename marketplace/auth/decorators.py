"""Role gates for views. Anonymous visitors are sent to log in; the wrong role gets 403."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required


def officer_required(view):
    """Programme officers and admins only."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_officer:
            abort(403, _("This page is for programme officers."))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Admins only (they manage officers)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, _("This page is for administrators."))
        return view(*args, **kwargs)

    return wrapped


def seller_required(view):
    """Users with a seller profile, in any status."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_seller:
            abort(403, _("This page is for producers. Register your shop first."))
        return view(*args, **kwargs)

    return wrapped


def approved_seller_required(view):
    """Producers an officer has approved (and not suspended)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_approved_seller:
            abort(403, _("Your shop must be approved by a programme officer first."))
        return view(*args, **kwargs)

    return wrapped
