"""Human words for producer statuses and audit-log actions, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.models import ProductStatus, SellerStatus

SELLER_STATUS = {
    SellerStatus.DRAFT: _l("Registration not finished"),
    SellerStatus.PENDING: _l("Waiting for approval"),
    SellerStatus.APPROVED: _l("Approved"),
    SellerStatus.REJECTED: _l("Rejected"),
    SellerStatus.SUSPENDED: _l("Suspended"),
}

PRODUCT_STATUS = {
    ProductStatus.DRAFT: _l("Draft"),
    ProductStatus.PUBLISHED: _l("Published"),
    ProductStatus.ARCHIVED: _l("Archived"),
}

# Actions written by this area and by the producers' onboarding; others show their code.
AUDIT_ACTIONS = {
    "seller.submitted": _l("Producer sent their shop for approval"),
    "seller.resubmitted": _l("Producer sent their shop again"),
    "seller.approved": _l("Producer approved"),
    "seller.rejected": _l("Producer rejected"),
    "seller.suspended": _l("Producer suspended"),
    "seller.reinstated": _l("Producer reinstated"),
    "product.unpublished": _l("Product taken down"),
    "training_type.created": _l("Training type created"),
    "training_type.updated": _l("Training type changed"),
    "cohort.created": _l("Cohort created"),
    "cohort.updated": _l("Cohort changed"),
    "category.created": _l("Category created"),
    "category.updated": _l("Category changed"),
    "category.deleted": _l("Category deleted"),
    "officer.created": _l("Officer account created"),
    "officer.deactivated": _l("Officer account deactivated"),
    "officer.reactivated": _l("Officer account reactivated"),
    "seller.profile_updated": _l("Producer changed their shop profile"),
    "seller.bank_details_changed": _l("Producer bank account changed"),
    "seller.commission_changed": _l("Producer commission rate changed"),
    "order.transfer_confirmed": _l("Bank transfer confirmed"),
    "order.refunded": _l("Refund recorded"),
    "order.refunded_in_stripe": _l("Refund made in the Stripe Dashboard"),
    "payment.refunded_in_stripe": _l("Refund made in the Stripe Dashboard for several producers: "
                                     "settle it with a ledger adjustment"),
    "payout.created": _l("Payout created"),
    "payout.sent": _l("Payout marked as sent"),
    "payout.cancelled": _l("Payout cancelled"),
    "payout_batch.created": _l("Payout batch created"),
    "payout_batch.downloaded": _l("Payout batch CSV downloaded"),
    "ledger.adjusted": _l("Ledger adjusted by hand"),
    "settlement.settings_changed": _l("Settlement settings changed"),
    "exhibition.created": _l("Exhibition created"),
    "exhibition.updated": _l("Exhibition changed"),
    "offline_sale.recorded": _l("Offline sale recorded"),
    "offline_sale.corrected": _l("Offline sale corrected"),
    "offline_sale.voided": _l("Offline sale cancelled"),
    "export.indicators": _l("Programme indicators downloaded"),
    "export.transactions": _l("Programme sales list downloaded"),
    "statement.issued": _l("Sales statement issued"),
}


SUBJECT_TYPES = {
    "seller": _l("Producer"),
    "product": _l("Product"),
    "training_type": _l("Training type"),
    "cohort": _l("Cohort"),
    "category": _l("Category"),
    "user": _l("Account"),
    "order": _l("Order"),
    "seller_order": _l("Producer's part of an order"),
    "payout": _l("Payout"),
    "payout_batch": _l("Payout batch"),
    "settings": _l("Settings"),
    "exhibition": _l("Exhibition"),
    "offline_sale": _l("Offline sale"),
    "report": _l("Programme report"),
}


def audit_action_label(action: str) -> str:
    """The translated label of an audit action, or its code when unknown."""
    label = AUDIT_ACTIONS.get(action)
    return str(label) if label is not None else action
