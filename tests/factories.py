"""Small factories that build valid records with sensible Blitar defaults."""
from __future__ import annotations

import io
import itertools
from datetime import date

from PIL import Image as PILImage
from werkzeug.security import generate_password_hash

from marketplace.models import (
    Category, Cohort, Product, ProductImage, ProductStatus, Role, SellerCohort, SellerProfile, SellerStatus, Tag,
    TrainingType, User, utcnow,
)
from marketplace.services.images import process_image, store_image
from marketplace.services.storage import get_storage

__all__ = ["Role", "SellerStatus", "ProductStatus", "PASSWORD"]

PASSWORD = "rahasia123"
_sequence = itertools.count(1)
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def _n() -> int:
    return next(_sequence)


def make_user(session, *, email=None, name="Pengguna", role=Role.BUYER, phone=None, language="id",
              active=True, commit=True) -> User:
    n = _n()
    user = User(email=email or f"user{n}@example.id", name=name, role=role, phone=phone,
                password_hash=_PASSWORD_HASH, preferred_language=language, is_active_account=active)
    session.add(user)
    if commit:
        session.commit()
    return user


def make_seller(session, *, shop_name="Toko Blitar", status=SellerStatus.APPROVED, kecamatan_code="35.05.10",
                user=None, whatsapp="+6281234567890", commit=True, **fields) -> SellerProfile:
    n = _n()
    user = user or make_user(session, name=f"Ibu {shop_name}", commit=False)
    profile = SellerProfile(
        user=user, shop_name=shop_name, slug=f"toko-{n}", story="Kami membuat kerajinan dari bahan daur ulang.",
        kecamatan_code=kecamatan_code, desa="Kanigoro", address="Jl. Melati 1", whatsapp=whatsapp,
        status=status, onboarding_step="done", **fields,
    )
    if status == SellerStatus.APPROVED:
        profile.approved_at = utcnow()
    if status != SellerStatus.DRAFT:
        profile.submitted_at = utcnow()
    session.add(profile)
    if commit:
        session.commit()
    return profile


def make_category(session, *, name_id="Kerajinan", name_en="Crafts", slug=None, parent=None, commit=True) -> Category:
    category = Category(name_id=name_id, name_en=name_en, slug=slug or f"kategori-{_n()}", parent=parent)
    session.add(category)
    if commit:
        session.commit()
    return category


def make_tag(session, slug="organik", name_id="Organik", name_en="Organic", commit=True) -> Tag:
    tag = Tag(slug=slug, name_id=name_id, name_en=name_en)
    session.add(tag)
    if commit:
        session.commit()
    return tag


def make_product(session, *, seller=None, category=None, name="Tas Anyaman Plastik", price=75_000, stock=10,
                 status=ProductStatus.PUBLISHED, unit="pcs", weight_grams=300, tags=(), commit=True) -> Product:
    n = _n()
    seller = seller or make_seller(session, commit=False)
    product = Product(
        seller=seller, category=category, name=name, slug=f"produk-{n}", description=f"{name} buatan tangan.",
        price=price, unit=unit, stock=stock, weight_grams=weight_grams, status=status, tags=list(tags),
        published_at=utcnow() if status == ProductStatus.PUBLISHED else None,
    )
    session.add(product)
    if commit:
        session.commit()
    return product


def image_bytes(width=640, height=480, fmt="JPEG", color=(200, 120, 40), exif=None) -> bytes:
    """An in-memory picture file of the given size and format."""
    picture = PILImage.new("RGB", (width, height), color)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    picture.save(out, fmt, **kwargs)
    return out.getvalue()


def add_product_image(session, product, *, width=640, height=480, color=(200, 120, 40), commit=True) -> ProductImage:
    processed = process_image(io.BytesIO(image_bytes(width, height, color=color)), max_bytes=15_000_000,
                              max_pixels=40_000_000, widths=(320, 800, 1600))
    image = store_image(session, get_storage(), processed)
    link = ProductImage(product=product, image=image, position=len(product.images))
    session.add(link)
    if commit:
        session.commit()
    return link


def make_training(session, *, slug="pertanian-organik", name_id="Pertanian organik", name_en="Organic farming",
                  cohort_name="Angkatan 2025", start=date(2025, 3, 1), end=date(2025, 3, 14), commit=True) -> Cohort:
    training = session.query(TrainingType).filter_by(slug=slug).one_or_none()
    if training is None:
        training = TrainingType(slug=slug, name_id=name_id, name_en=name_en)
        session.add(training)
    cohort = Cohort(training_type=training, name=cohort_name, place="Balai Desa", start_date=start, end_date=end)
    session.add(cohort)
    if commit:
        session.commit()
    return cohort


def enrol(session, seller, cohort, completed_on=None, commit=True) -> SellerCohort:
    link = SellerCohort(seller=seller, cohort=cohort, completed_on=completed_on or cohort.end_date)
    session.add(link)
    if commit:
        session.commit()
    return link


def set_delivery(session, seller, *, pickup=True, local_fee=None, courier=None, cash=True, commit=True):
    """Give a producer delivery settings; courier=(blitar, jatim, indonesia) fees per kg."""
    from marketplace.models import DeliverySettings

    settings = DeliverySettings(
        seller_id=seller.id, offers_pickup=pickup, offers_local_delivery=local_fee is not None,
        local_delivery_fee=local_fee or 0, offers_courier=courier is not None, offers_cash=cash,
    )
    if courier is not None:
        settings.courier_fee_blitar, settings.courier_fee_jatim, settings.courier_fee_indonesia = courier
    session.add(settings)
    if commit:
        session.commit()
    return settings


def place_order(session, items, *, payment="transfer", deliveries=None, buyer_user=None, address=None, now=None,
                guest_email="tamu@example.id"):
    """Place an order through the checkout service; items = [(product, quantity), ...]."""
    from marketplace.models import DeliveryMethod, PaymentMethod
    from marketplace.services import checkout

    lines = [checkout.CartLine(p.id, q, p.price) for p, q in items]
    sellers = {p.seller_id for p, _ in items}
    chosen = {sid: DeliveryMethod.PICKUP for sid in sellers}
    chosen.update(deliveries or {})
    buyer = checkout.Buyer(
        name=buyer_user.name if buyer_user else "Tamu Pembeli",
        email=buyer_user.email if buyer_user else guest_email,
        phone="+6281234567890", user_id=buyer_user.id if buyer_user else None,
    )
    return checkout.place_order(
        session, lines, buyer=buyer, address=address or checkout.Address(regency_code="35.05"),
        deliveries=chosen, payment_method=PaymentMethod(payment),
        expiry_minutes={PaymentMethod.CARD: 30, PaymentMethod.TRANSFER: 24 * 60}, now=now,
    )


# ---- picture files for the photo pipeline's tests ---------------------------------------------

def photo_bytes(width=640, height=480, *, orientation=None, gps=False, xmp=None, icc=False, quality=90,
                fmt="JPEG") -> bytes:
    """A phone-like photo: a red-green gradient with a blue block in the stored top-left corner,
    optionally with EXIF orientation, EXIF GPS, an XMP packet and an ICC profile."""
    from PIL import ExifTags, ImageCms

    gradient = PILImage.linear_gradient("L")
    picture = PILImage.merge("RGB", (gradient.resize((width, height)), gradient.rotate(90).resize((width, height)),
                                     PILImage.new("L", (width, height), 40)))
    picture.paste((0, 0, 255), (0, 0, max(1, width // 8), max(1, height // 8)))
    exif = PILImage.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "S"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (8.0, 5.0, 55.2)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (112.0, 10.0, 4.1)
    options = {"quality": quality} if fmt == "JPEG" else {}
    if len(exif):
        options["exif"] = exif
    if xmp is not None:
        options["xmp"] = xmp
    if icc:
        options["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    picture.save(out, fmt, **options)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb's
    header without the cost of building one."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))
