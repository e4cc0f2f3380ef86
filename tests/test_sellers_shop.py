"""The shop profile editor: every field, the same checks as registration, a stable slug,
the photo, and only for approved producers."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.models import AuditLog, SellerProfile, SellerStatus
from tests import factories
from tests.conftest import login

SHOP = "/penjual/toko"


@pytest.fixture
def english_seller(session):
    return factories.make_seller(session, shop_name="Anyaman Bu Sri", user=factories.make_user(session, language="en"))


@pytest.fixture
def en_client(app, english_seller):
    client = app.test_client()
    login(client, english_seller.user)
    return client


def shop_form(**overrides) -> dict:
    data = {"shop_name": "Anyaman Bu Sri", "story": "Kami menganyam tas dari plastik bekas.",
            "products_summary": "Tas dan tikar", "kecamatan_code": "35.05.14", "desa": "Talun",
            "address": "Jl. Mawar 2", "whatsapp": "0813-3344-5566", "nib": "1234567890123",
            "pirt": "2063505010123-24", "halal": "ID35110000123450123"}
    data.update(overrides)
    return data


def reload(session, profile) -> SellerProfile:
    session.expire_all()
    return session.get(SellerProfile, profile.id)


def post(client, **overrides):
    return client.post(SHOP, data=shop_form(**overrides), content_type="multipart/form-data")


def test_the_form_shows_the_current_profile(en_client, english_seller):
    page = en_client.get(SHOP).get_data(as_text=True)
    assert 'value="Anyaman Bu Sri"' in page and 'value="Kanigoro"' in page
    assert '<option selected value="35.05.10">' in page or 'value="35.05.10" selected' in page


def test_saving_every_field_keeps_the_slug(en_client, english_seller, session):
    slug = english_seller.slug

    response = post(en_client, shop_name="Anyaman Mbak Sri")

    assert response.status_code == 303
    profile = reload(session, english_seller)
    assert profile.slug == slug
    assert (profile.shop_name, profile.story, profile.products_summary) == (
        "Anyaman Mbak Sri", "Kami menganyam tas dari plastik bekas.", "Tas dan tikar")
    assert (profile.kecamatan_code, profile.desa, profile.address) == ("35.05.14", "Talun", "Jl. Mawar 2")
    assert profile.whatsapp == "+6281333445566"
    assert (profile.nib, profile.pirt, profile.halal) == ("1234567890123", "206350501012324", "ID35110000123450123")
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "seller.profile_updated")).one()
    assert entry.actor_id == english_seller.user_id and "shop_name" in entry.details


def test_empty_papers_clear_them(en_client, english_seller, session):
    post(en_client)
    assert post(en_client, nib="", pirt="", halal="").status_code == 303
    profile = reload(session, english_seller)
    assert (profile.nib, profile.pirt, profile.halal) == (None, None, None)


@pytest.mark.parametrize("overrides, message", [
    ({"shop_name": ""}, "Enter the name of your shop"),
    ({"shop_name": "x" * 121}, "at most 120 characters"),
    ({"kecamatan_code": "35.99.99"}, "Choose your kecamatan from the list"),
    ({"kecamatan_code": ""}, "Choose your kecamatan"),
    ({"desa": ""}, "Enter your desa or kelurahan"),
    ({"whatsapp": "12345"}, "Enter a valid WhatsApp number"),
    ({"nib": "12345"}, "An NIB has exactly 13 digits"),
    ({"pirt": "abc"}, "A P-IRT number has 12 to 17 digits"),
    ({"halal": "??"}, "Enter the halal certificate number as printed"),
    ({"story": "x" * 2001}, "at most 2000 characters"),
])
def test_bad_input_is_refused_and_nothing_changes(en_client, english_seller, session, overrides, message):
    response = post(en_client, **overrides)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    profile = reload(session, english_seller)
    assert (profile.shop_name, profile.desa, profile.whatsapp, profile.nib) == (
        "Anyaman Bu Sri", "Kanigoro", "+6281234567890", None)


def test_profile_photo_upload_and_removal(en_client, english_seller, session):
    response = en_client.post(SHOP, data={**shop_form(), "photo_file": (io.BytesIO(factories.photo_bytes()), "me.jpg")},
                              content_type="multipart/form-data")
    assert response.status_code == 303
    assert reload(session, english_seller).photo is not None

    assert post(en_client, remove_photo="y").status_code == 303
    assert reload(session, english_seller).photo is None


def test_a_non_picture_photo_is_refused_and_nothing_changes(en_client, english_seller, session):
    response = en_client.post(SHOP, data={**shop_form(shop_name="Baru"),
                                          "photo_file": (io.BytesIO(b"%PDF-1.4 not a photo"), "ktp.pdf")},
                              content_type="multipart/form-data")

    assert response.status_code == 400 and "not a photo" in response.get_data(as_text=True)
    profile = reload(session, english_seller)
    assert profile.shop_name == "Anyaman Bu Sri" and profile.photo is None


@pytest.mark.parametrize("status", [SellerStatus.DRAFT, SellerStatus.PENDING, SellerStatus.REJECTED,
                                    SellerStatus.SUSPENDED])
def test_only_approved_producers_use_the_editor(app, session, status):
    profile = factories.make_seller(session, status=status, shop_name="Menunggu")
    client = app.test_client()
    login(client, profile.user)

    assert client.get(SHOP).status_code == 403
    assert client.post(SHOP, data=shop_form(shop_name="Diubah")).status_code == 403
    assert reload(session, profile).shop_name == "Menunggu"


def test_a_producer_edits_only_their_own_shop(seller_client, seller, other_seller, session):
    """There is no shop id in the URL; a forged one in the form is ignored."""
    response = seller_client.post(SHOP, data={**shop_form(shop_name="Milik Saya"), "id": str(other_seller.id),
                                              "user_id": str(other_seller.user_id)},
                                  content_type="multipart/form-data")

    assert response.status_code == 303
    assert reload(session, seller).shop_name == "Milik Saya"
    assert reload(session, other_seller).shop_name == "Tani Organik Garum"
    assert "Tani Organik Garum" not in seller_client.get(SHOP).get_data(as_text=True)
