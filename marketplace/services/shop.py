"""An approved producer's shop profile: editing it after approval.

The checks are those of the onboarding steps (same kecamatan list, same paper number
formats, see services/onboarding.py), so a shop never holds a value registration would
refuse. The slug never changes here: the shop's links are already shared.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from marketplace.models import Image, SellerProfile, SellerStatus
from marketplace.regions import KECAMATAN_BY_CODE
from marketplace.services import audit
from marketplace.services.onboarding import SHOP_NAME_MAX, OnboardingError, clean_paper_number

EDITABLE_STATUSES = (SellerStatus.APPROVED,)
_LIMITS = {"story": 2000, "products_summary": 255, "desa": 120, "address": 255}
_AUDITED = ("shop_name", "story", "products_summary", "kecamatan_code", "desa", "address", "whatsapp",
            "nib", "pirt", "halal")


class ShopError(ValueError):
    """A rule was broken; `errors` maps field names to reason codes (the view words them)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class ShopData:
    """The shop profile as typed; `whatsapp` is already E.164 (the form normalises it)."""

    shop_name: str
    story: str = ""
    products_summary: str = ""
    kecamatan_code: str = ""
    desa: str = ""
    address: str = ""
    whatsapp: str = ""
    nib: str | None = None
    pirt: str | None = None
    halal: str | None = None


def update_shop(session: Session, profile: SellerProfile, data: ShopData, *, actor_id: int | None,
                photo: Image | None = None, remove_photo: bool = False) -> list[str]:
    """Check and store the whole profile; commits once and returns the names of changed fields.

    Raises ShopError (field -> reason code) and writes nothing when anything is wrong.
    """
    if profile.status not in EDITABLE_STATUSES:
        raise ShopError({"status": "locked"})
    errors: dict[str, str] = {}
    values = {
        "shop_name": (data.shop_name or "").strip(),
        "story": (data.story or "").strip(),
        "products_summary": (data.products_summary or "").strip(),
        "kecamatan_code": data.kecamatan_code or "",
        "desa": (data.desa or "").strip(),
        "address": (data.address or "").strip(),
        "whatsapp": data.whatsapp or "",
    }
    if not values["shop_name"]:
        errors["shop_name"] = "required"
    elif len(values["shop_name"]) > SHOP_NAME_MAX:
        errors["shop_name"] = "too_long"
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = "too_long"
    if not values["desa"]:
        errors["desa"] = "required"
    if values["kecamatan_code"] not in KECAMATAN_BY_CODE:
        errors["kecamatan_code"] = "unknown_kecamatan"
    if not re.fullmatch(r"\+\d{8,15}", values["whatsapp"]):
        errors["whatsapp"] = "invalid_phone"
    for kind, raw in (("nib", data.nib), ("pirt", data.pirt), ("halal", data.halal)):
        try:
            values[kind] = clean_paper_number(raw, kind)
        except OnboardingError as exc:
            errors.update(exc.errors)
    if errors:
        raise ShopError(errors)

    changed = [name for name in _AUDITED if getattr(profile, name) != values[name]]
    for name in _AUDITED:
        setattr(profile, name, values[name])
    if photo is not None:
        profile.photo = photo
        changed.append("photo")
    elif remove_photo and profile.photo_image_id is not None:
        profile.photo = None
        changed.append("photo")
    if changed:
        audit.record(session, actor_id=actor_id, action="seller.profile_updated", subject_type="seller",
                     subject_id=profile.id, details={"fields": changed})
    session.commit()
    return changed
