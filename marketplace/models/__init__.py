"""All models, importable from one place so Alembic and the app see the whole schema."""
from marketplace.models.accounts import Role, User
from marketplace.models.base import Base, UTCDateTime, utcnow
from marketplace.models.catalog import (
    UNITS, Category, Image, Product, ProductImage, ProductStatus, SearchDocument, Tag, product_tags,
)
from marketplace.models.ledger import EntryKind, LedgerEntry, MarketplaceSettings, Payout, PayoutBatch, PayoutStatus
from marketplace.models.orders import (
    CartItem, DeliveryMethod, DeliverySettings, GuestBuyer, Order, OrderEvent, OrderLine, OrderNumberCounter, OrderStatus,
    PartStatus, Payment, PaymentMethod, PaymentStatus, Review, SellerOrder, ShippingZone, StripeEvent,
)
from marketplace.models.programme import ExhibitionEvent, OfflineSale
from marketplace.models.statements import StatementIssue
from marketplace.models.summaries import MonthlySellerCategorySales, MonthlySellerSales, PaidPartLink
from marketplace.models.sellers import AuditLog, Cohort, SellerCohort, SellerProfile, SellerStatus, TrainingType

__all__ = [
    "AuditLog", "Base", "CartItem", "DeliveryMethod", "DeliverySettings", "GuestBuyer", "Order", "OrderEvent", "OrderLine",
    "OrderNumberCounter", "OrderStatus", "PartStatus", "Payment", "PaymentMethod", "PaymentStatus", "Review",
    "SellerOrder", "ShippingZone", "StripeEvent", "Category", "Cohort", "Image", "Product", "ProductImage", "ProductStatus", "Role", "SearchDocument",
    "SellerCohort", "SellerProfile", "SellerStatus", "Tag", "TrainingType", "UNITS", "User", "UTCDateTime",
    "product_tags", "utcnow",
    "EntryKind", "LedgerEntry", "MarketplaceSettings", "Payout", "PayoutBatch", "PayoutStatus",
    "ExhibitionEvent", "OfflineSale",
    "StatementIssue",
    "MonthlySellerCategorySales", "MonthlySellerSales", "PaidPartLink",
]
