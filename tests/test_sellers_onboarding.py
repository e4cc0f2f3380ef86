"""Producer onboarding: each step with good and bad input, resuming, submitting and resubmitting."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from marketplace.formatting import to_wib
from marketplace.models import AuditLog, SellerProfile, SellerStatus, utcnow
from marketplace.services import onboarding
from tests import factories
from tests.conftest import login

START = "/penjual/daftar-toko"
SHOP = "/penjual/daftar-toko/toko"
LOCATION = "/penjual/daftar-toko/lokasi"
CONTACT = "/penjual/daftar-toko/kontak"
PROGRAMME = "/penjual/daftar-toko/program"
PAPERS = "/penjual/daftar-toko/dokumen"
CONSENT = "/penjual/daftar-toko/persetujuan"
REVIEW = "/penjual/daftar-toko/periksa"



@pytest.fixture
def newcomer(session):
    """A logged-in-able user with no shop yet, reading English (the msgids)."""
    return factories.make_user(session, name="Sri Rahayu", language="en")


@pytest.fixture
def newcomer_client(app, newcomer):
    client = app.test_client()
    login(client, newcomer)
    return client


@pytest.fixture
def cohort(session):
    return factories.make_training(session, start=date(2025, 3, 1), end=date(2025, 3, 14))


def profile_of(session, user) -> SellerProfile | None:
    session.expire_all()
    return session.query(SellerProfile).filter_by(user_id=user.id).one_or_none()


def text(response) -> str:
    return response.get_data(as_text=True)


def fill_shop(client, name="Anyaman Bu Sri", **extra):
    data = {"shop_name": name, "story": "Kami menganyam tas dari plastik bekas.",
            "products_summary": "Tas dan tikar anyaman", **extra}
    return client.post(SHOP, data=data, content_type="multipart/form-data")


def fill_until(client, last: str, cohort=None):
    """Fill the steps in order up to and including `last`, asserting each is accepted."""
    posts = [
        ("shop", lambda: fill_shop(client)),
        ("location", lambda: client.post(LOCATION, data={"kecamatan_code": "35.05.10", "desa": "Kanigoro",
                                                         "address": "Jl. Melati 1"})),
        ("contact", lambda: client.post(CONTACT, data={"whatsapp": "0812-3456-7890"})),
        ("programme", lambda: client.post(PROGRAMME, data=(
            {"in_programme": "yes", "cohorts": str(cohort.id), f"completed_{cohort.id}": "2025-03-14",
             "group_name": "KUB Mawar"} if cohort else {"in_programme": "no"}))),
        ("papers", lambda: client.post(PAPERS, data={"nib": "", "pirt": "", "halal": ""})),
        ("consent", lambda: client.post(CONSENT, data={"agree": "y"})),
    ]
    for step, post in posts:
        response = post()
        assert response.status_code == 303, (step, response.status_code, text(response)[:2000])
        if step == last:
            return response
    raise AssertionError(f"unknown step {last}")


# ---- account -------------------------------------------------------------------------------

def test_visitor_is_offered_register_and_login_that_come_back_to_the_flow(client):
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    response = client.get(START)
    assert response.status_code == 200
    page = text(response)
    assert "/akun/daftar?next=/penjual/daftar-toko" in page
    assert "/akun/masuk?next=/penjual/daftar-toko" in page


def test_visitor_opening_a_step_is_sent_to_log_in(client):
    response = client.get(LOCATION)
    assert response.status_code == 302
    assert "/akun/masuk" in response.headers["Location"]


def test_registering_from_the_flow_lands_back_on_it(client, session):
    response = client.post("/akun/daftar?next=/penjual/daftar-toko", data={
        "name": "Sri", "email": "sri@example.id", "password": "anyaman2025", "confirm": "anyaman2025",
        "next": "/penjual/daftar-toko"})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/penjual/daftar-toko")
    assert 'href="/penjual/daftar-toko/toko"' in text(client.get(START))


def test_logged_in_user_starts_with_their_account(newcomer_client):
    page = text(newcomer_client.get(START))
    assert "Sri Rahayu" in page
    assert f'href="{SHOP}"' in page


# ---- shop ----------------------------------------------------------------------------------

def test_shop_step_creates_a_draft_and_moves_on(newcomer_client, newcomer, session):
    response = fill_shop(newcomer_client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(LOCATION)
    profile = profile_of(session, newcomer)
    assert profile.status == SellerStatus.DRAFT
    assert profile.shop_name == "Anyaman Bu Sri"
    assert profile.slug == "anyaman-bu-sri"
    assert profile.products_summary == "Tas dan tikar anyaman"
    assert profile.onboarding_step == "location"


@pytest.mark.parametrize("name, message", [
    ("", "Enter the name of your shop."),
    ("   ", "Enter the name of your shop."),
    ("x" * 121, "Use at most 120 characters."),
])
def test_shop_step_refuses_a_bad_name(newcomer_client, newcomer, session, name, message):
    response = fill_shop(newcomer_client, name=name)
    assert response.status_code == 400
    assert message in text(response)
    assert profile_of(session, newcomer) is None


def test_shop_story_too_long_is_refused(newcomer_client, newcomer, session):
    response = fill_shop(newcomer_client, story="a" * 2001)
    assert response.status_code == 400
    assert "Use at most 2000 characters." in text(response)


def test_slugs_are_unique(session, app):
    first = factories.make_user(session)
    second = factories.make_user(session)
    third = factories.make_user(session)
    for user in (first, second, third):
        onboarding.save_shop_step(session, user, shop_name="Tani Organik Garum!", story="", products_summary="")
    assert [u.seller_profile.slug for u in (first, second, third)] == [
        "tani-organik-garum", "tani-organik-garum-2", "tani-organik-garum-3"]


def test_renaming_a_draft_shop_moves_its_slug(newcomer_client, newcomer, session):
    fill_shop(newcomer_client, name="Batik Lama")
    fill_shop(newcomer_client, name="Batik Baru")
    assert profile_of(session, newcomer).slug == "batik-baru"


def test_shop_photo_from_the_phone_is_stored(newcomer_client, newcomer, session):
    photo = (io.BytesIO(factories.image_bytes(800, 600)), "IMG_2025.jpg", "image/jpeg")
    response = fill_shop(newcomer_client, photo_file=photo)
    assert response.status_code == 303
    profile = profile_of(session, newcomer)
    assert profile.photo is not None
    assert profile.photo.width == 800


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(newcomer_client, newcomer, session):
    fake = (io.BytesIO(b"%PDF-1.4 this is a document"), "photo.jpg", "image/jpeg")
    response = fill_shop(newcomer_client, photo_file=fake)
    assert response.status_code == 400
    assert "This file is not a photo." in text(response)
    assert profile_of(session, newcomer) is None


def test_photo_can_be_removed(newcomer_client, newcomer, session):
    fill_shop(newcomer_client, photo_file=(io.BytesIO(factories.image_bytes()), "a.jpg", "image/jpeg"))
    fill_shop(newcomer_client, remove_photo="y")
    assert profile_of(session, newcomer).photo is None


# ---- location ------------------------------------------------------------------------------

def test_location_step_stores_an_official_kecamatan(newcomer_client, newcomer, session):
    fill_shop(newcomer_client)
    response = newcomer_client.post(LOCATION, data={"kecamatan_code": "35.72.01", "desa": "Bendogerit",
                                                    "address": "Jl. Mawar 3"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(CONTACT)
    profile = profile_of(session, newcomer)
    assert (profile.kecamatan_code, profile.desa, profile.address) == ("35.72.01", "Bendogerit", "Jl. Mawar 3")


@pytest.mark.parametrize("data, message", [
    ({"kecamatan_code": "99.99.99", "desa": "Kanigoro"}, "Choose your kecamatan from the list."),
    ({"kecamatan_code": "", "desa": "Kanigoro"}, "Choose your kecamatan."),
    ({"kecamatan_code": "35.05.10", "desa": ""}, "Enter your desa or kelurahan."),
    ({"kecamatan_code": "35.05.10", "desa": "d" * 121}, "Use at most 120 characters."),
])
def test_location_step_refuses_bad_input(newcomer_client, newcomer, session, data, message):
    fill_shop(newcomer_client)
    response = newcomer_client.post(LOCATION, data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert profile_of(session, newcomer).kecamatan_code is None


# ---- contact -------------------------------------------------------------------------------

def test_contact_step_normalises_the_whatsapp_number(newcomer_client, newcomer, session):
    fill_until(newcomer_client, "location")
    response = newcomer_client.post(CONTACT, data={"whatsapp": "0812 3456 7890"})
    assert response.status_code == 303
    assert profile_of(session, newcomer).whatsapp == "+6281234567890"


@pytest.mark.parametrize("number", ["12345", "0812-abc", "", "0" * 40])
def test_contact_step_refuses_a_malformed_number(newcomer_client, newcomer, session, number):
    fill_until(newcomer_client, "location")
    response = newcomer_client.post(CONTACT, data={"whatsapp": number})
    assert response.status_code == 400
    assert profile_of(session, newcomer).whatsapp is None


# ---- programme -----------------------------------------------------------------------------

def test_programme_lists_cohorts_grouped_by_training(newcomer_client, session, cohort):
    factories.make_training(session, slug="menjahit", name_id="Menjahit", name_en="Sewing",
                            cohort_name="Angkatan Wlingi")
    fill_until(newcomer_client, "contact")
    page = text(newcomer_client.get(PROGRAMME))
    assert "<legend>Organic farming</legend>" in page
    assert "<legend>Sewing</legend>" in page
    assert "Angkatan Wlingi" in page


def test_programme_step_stores_cohorts_dates_and_group(newcomer_client, newcomer, session, cohort):
    fill_until(newcomer_client, "contact")
    response = newcomer_client.post(PROGRAMME, data={
        "in_programme": "yes", "cohorts": str(cohort.id), f"completed_{cohort.id}": "2025-03-14",
        "group_name": "KUB Mawar"})
    assert response.status_code == 303
    profile = profile_of(session, newcomer)
    assert profile.in_programme is True
    assert profile.group_name == "KUB Mawar"
    assert [(link.cohort_id, link.completed_on) for link in profile.cohorts] == [(cohort.id, date(2025, 3, 14))]


def test_not_in_the_programme_clears_earlier_cohorts(newcomer_client, newcomer, session, cohort):
    fill_until(newcomer_client, "programme", cohort=cohort)
    response = newcomer_client.post(PROGRAMME, data={"in_programme": "no", "group_name": "KUB Mawar"})
    assert response.status_code == 303
    profile = profile_of(session, newcomer)
    assert profile.in_programme is False
    assert profile.cohorts == []
    assert profile.group_name == ""


def _tomorrow_wib() -> str:
    return (to_wib(utcnow()).date() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("make_data, message", [
    (lambda c: {"cohorts": "999999", "completed_999999": "2025-03-14"}, "One of the chosen trainings does not exist."),
    (lambda c: {"cohorts": "abc"}, "One of the chosen trainings does not exist."),
    (lambda c: {"cohorts": str(c.id), f"completed_{c.id}": _tomorrow_wib()}, "cannot be in the future"),
    (lambda c: {"cohorts": str(c.id), f"completed_{c.id}": "2025-02-28"}, "cannot be before the training started"),
    (lambda c: {"cohorts": str(c.id), f"completed_{c.id}": ""}, "Enter the date you completed this training."),
    (lambda c: {"cohorts": str(c.id), f"completed_{c.id}": "14/03/2025x"}, "Not a valid date value."),
    (lambda c: {}, "Tick the training you completed"),
])
def test_programme_step_refuses_bad_cohorts_and_dates(newcomer_client, newcomer, session, cohort, make_data, message):
    fill_until(newcomer_client, "contact")
    response = newcomer_client.post(PROGRAMME, data={"in_programme": "yes", **make_data(cohort)})
    assert response.status_code == 400
    assert message in text(response)
    profile = profile_of(session, newcomer)
    assert profile.in_programme is None
    assert profile.cohorts == []


def test_programme_step_needs_an_answer(newcomer_client, cohort):
    fill_until(newcomer_client, "contact")
    response = newcomer_client.post(PROGRAMME, data={"in_programme": "maybe"})
    assert response.status_code == 400


# ---- papers --------------------------------------------------------------------------------

def test_papers_are_optional_and_normalised(newcomer_client, newcomer, session):
    fill_until(newcomer_client, "programme")
    response = newcomer_client.post(PAPERS, data={"nib": "1234 5678 90123", "pirt": "P-IRT No. 2063505010123-24",
                                                  "halal": "ID35110000123450123"})
    assert response.status_code == 303
    profile = profile_of(session, newcomer)
    assert (profile.nib, profile.pirt, profile.halal) == ("1234567890123", "206350501012324", "ID35110000123450123")


@pytest.mark.parametrize("field, value, message", [
    ("nib", "123456789012", "An NIB has exactly 13 digits"),
    ("nib", "12345678901ab", "An NIB has exactly 13 digits"),
    ("pirt", "12345", "A P-IRT number has 12 to 17 digits"),
    ("halal", "halal!", "Enter the halal certificate number as printed"),
    ("halal", "x" * 61, "Use at most 60 characters."),
])
def test_papers_with_a_wrong_format_are_refused(newcomer_client, newcomer, session, field, value, message):
    fill_until(newcomer_client, "programme")
    response = newcomer_client.post(PAPERS, data={field: value})
    assert response.status_code == 400
    assert message in text(response)
    assert getattr(profile_of(session, newcomer), field) is None


# ---- consent -------------------------------------------------------------------------------

def test_consent_explains_the_data_use_and_is_required(newcomer_client, newcomer, session):
    fill_until(newcomer_client, "papers")
    page = text(newcomer_client.get(CONSENT))
    assert "What is shared" in page and "With whom" in page and "Why" in page
    response = newcomer_client.post(CONSENT, data={})
    assert response.status_code == 400
    assert "Please agree so that we can register your shop." in text(response)
    assert profile_of(session, newcomer).data_consent_at is None
    assert newcomer_client.post(CONSENT, data={"agree": "y"}).status_code == 303
    assert profile_of(session, newcomer).data_consent_at is not None


# ---- moving around -------------------------------------------------------------------------

@pytest.mark.parametrize("url", [LOCATION, CONTACT, PROGRAMME, PAPERS, CONSENT, REVIEW])
def test_skipping_ahead_before_the_shop_step_goes_to_the_shop_step(newcomer_client, url):
    response = newcomer_client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(SHOP)


def test_skipping_ahead_goes_to_the_first_incomplete_step_with_a_message(newcomer_client, newcomer, session):
    fill_until(newcomer_client, "location")
    response = newcomer_client.get(REVIEW, follow_redirects=True)
    assert response.request.path == CONTACT
    assert "Please complete this step first." in text(response)
    response = newcomer_client.post(CONSENT, data={"agree": "y"})
    assert response.headers["Location"].endswith(CONTACT)
    assert profile_of(session, newcomer).data_consent_at is None


def test_leaving_and_coming_back_keeps_what_was_entered(app, newcomer, session, cohort):
    first_visit = app.test_client()
    login(first_visit, newcomer)
    fill_until(first_visit, "programme", cohort=cohort)

    later = app.test_client()  # another day, another browser session
    login(later, newcomer)
    assert f'href="{PAPERS}"' in text(later.get(START))
    assert 'value="Anyaman Bu Sri"' in text(later.get(SHOP))
    assert 'selected value="35.05.10"' in text(later.get(LOCATION))
    assert 'value="+6281234567890"' in text(later.get(CONTACT))
    programme_page = text(later.get(PROGRAMME))
    assert f'value="{cohort.id}" id="cohort-{cohort.id}" checked' in programme_page
    assert 'value="2025-03-14"' in programme_page
    assert 'value="KUB Mawar"' in programme_page


def test_going_back_to_an_earlier_step_does_not_lose_progress(newcomer_client, newcomer, session):
    fill_until(newcomer_client, "contact")
    fill_shop(newcomer_client, name="Anyaman Bu Sri Rahayu")
    profile = profile_of(session, newcomer)
    assert profile.onboarding_step == "programme"
    assert profile.whatsapp == "+6281234567890"


def test_steps_have_an_indicator_and_back_links(newcomer_client):
    fill_until(newcomer_client, "location")
    page = text(newcomer_client.get(CONTACT))
    assert '<ol class="steps onboarding-steps"' in page
    assert '<li aria-current="step">' in page
    assert f'href="{LOCATION}" class="back-link"' in page


# ---- submitting ----------------------------------------------------------------------------

def test_the_whole_flow_ends_pending_and_tells_every_active_officer(newcomer_client, newcomer, session, cohort,
                                                                    mail_outbox):
    english = factories.make_user(session, role=factories.Role.OFFICER, email="petugas@example.id", language="en")
    indonesian = factories.make_user(session, role=factories.Role.ADMIN, email="admin@example.id", language="id")
    factories.make_user(session, role=factories.Role.OFFICER, email="pensiun@example.id", active=False)
    fill_until(newcomer_client, "consent", cohort=cohort)
    review = text(newcomer_client.get(REVIEW))
    assert "Anyaman Bu Sri" in review and "Kanigoro" in review and "+6281234567890" in review

    response = newcomer_client.post(REVIEW)
    assert response.status_code == 303
    dashboard = text(newcomer_client.get(response.headers["Location"]))
    assert "Waiting for approval" in dashboard

    profile = profile_of(session, newcomer)
    assert profile.status == SellerStatus.PENDING
    assert profile.submitted_at is not None
    assert sorted(mail.to for mail in mail_outbox) == sorted([english.email, indonesian.email])
    english_mail = next(mail for mail in mail_outbox if mail.to == english.email)
    assert english_mail.subject == "New producer waiting for approval: Anyaman Bu Sri"
    assert "Kanigoro" in english_mail.body
    assert f"/petugas/penjual/{profile.id}" in english_mail.body
    assert session.query(AuditLog).filter_by(action="seller.submitted", subject_id=profile.id).count() == 1


def test_submitting_without_consent_goes_back_to_the_consent_step(newcomer_client, newcomer, session, mail_outbox):
    fill_until(newcomer_client, "papers")
    response = newcomer_client.post(REVIEW)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(CONSENT)
    assert profile_of(session, newcomer).status == SellerStatus.DRAFT
    assert mail_outbox == []


def test_submit_service_refuses_a_profile_without_consent(session, newcomer):
    profile = onboarding.save_shop_step(session, newcomer, shop_name="Toko", story="", products_summary="")
    with pytest.raises(onboarding.OnboardingError) as error:
        onboarding.submit_for_review(session, profile)
    assert error.value.errors == {"step": "location"}


def test_pending_shop_is_locked_until_the_officer_decides(newcomer_client, newcomer, session):
    fill_until(newcomer_client, "consent")
    newcomer_client.post(REVIEW)
    response = newcomer_client.post(SHOP, data={"shop_name": "Nama Lain"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/penjual/")
    assert profile_of(session, newcomer).shop_name == "Anyaman Bu Sri"
    assert newcomer_client.post(REVIEW).status_code == 302
    assert profile_of(session, newcomer).status == SellerStatus.PENDING


@pytest.mark.parametrize("status", [SellerStatus.APPROVED, SellerStatus.SUSPENDED])
def test_approved_and_suspended_shops_are_not_edited_here(app, session, status):
    seller = factories.make_seller(session, status=status, shop_name="Batik Kanigoro")
    client = app.test_client()
    login(client, seller.user)
    assert client.get(START).headers["Location"].endswith("/penjual/")
    assert client.post(SHOP, data={"shop_name": "Lain"}).headers["Location"].endswith("/penjual/")
    session.expire_all()
    assert seller.shop_name == "Batik Kanigoro"
    assert seller.status == status


def test_rejected_producer_edits_and_resubmits(newcomer_client, newcomer, session, mail_outbox):
    factories.make_user(session, role=factories.Role.OFFICER, language="en")
    fill_until(newcomer_client, "consent")
    newcomer_client.post(REVIEW)
    profile = profile_of(session, newcomer)
    profile.status, profile.status_reason = SellerStatus.REJECTED, "Foto toko belum jelas."
    session.commit()
    mail_outbox.clear()

    dashboard = text(newcomer_client.get("/penjual/"))
    assert "Foto toko belum jelas." in dashboard
    assert f'href="{REVIEW}"' in dashboard
    assert "Foto toko belum jelas." in text(newcomer_client.get(SHOP))
    assert fill_shop(newcomer_client, name="Anyaman Bu Sri Blitar").status_code == 303
    assert profile_of(session, newcomer).status == SellerStatus.REJECTED

    assert "Send again for approval" in text(newcomer_client.get(REVIEW))
    assert newcomer_client.post(REVIEW).status_code == 303
    profile = profile_of(session, newcomer)
    assert profile.status == SellerStatus.PENDING
    assert profile.status_reason == ""
    assert profile.shop_name == "Anyaman Bu Sri Blitar"
    assert [mail.subject for mail in mail_outbox] == ["Producer sent again for approval: Anyaman Bu Sri Blitar"]
    assert session.query(AuditLog).filter_by(action="seller.resubmitted", subject_id=profile.id).count() == 1


# ---- security ------------------------------------------------------------------------------

def test_another_user_cannot_touch_someone_elses_draft(app, newcomer_client, newcomer, session):
    fill_until(newcomer_client, "location")
    intruder = factories.make_user(session, language="en")
    client = app.test_client()
    login(client, intruder)
    # No step takes a profile id: whatever the intruder posts lands in their own (missing) profile.
    assert client.post(LOCATION, data={"kecamatan_code": "35.05.01", "desa": "Lain"}).headers[
        "Location"].endswith(SHOP)
    assert client.post(REVIEW).headers["Location"].endswith(SHOP)
    assert fill_shop(client, name="Toko Penyusup", user_id=str(newcomer.id), id="1").status_code == 303
    mine = profile_of(session, newcomer)
    assert (mine.shop_name, mine.kecamatan_code, mine.status) == ("Anyaman Bu Sri", "35.05.10", SellerStatus.DRAFT)
    assert profile_of(session, intruder).shop_name == "Toko Penyusup"


def test_an_officer_cannot_edit_a_producers_draft_here(officer_client, newcomer_client, newcomer, session, officer):
    fill_until(newcomer_client, "location")
    response = officer_client.post(CONTACT, data={"whatsapp": "0813-1111-2222"})
    assert response.status_code == 403  # staff accounts cannot open a shop at all
    assert profile_of(session, newcomer).whatsapp is None
    assert profile_of(session, officer) is None


def test_posts_without_the_csrf_token_are_refused(newcomer_client, newcomer, session, csrf_enabled):
    response = fill_shop(newcomer_client)
    assert response.status_code == 400
    assert profile_of(session, newcomer) is None


def test_officer_entered_cohort_names_are_escaped(newcomer_client, session):
    factories.make_training(session, cohort_name="<b>Angkatan</b> & Co")
    fill_until(newcomer_client, "contact")
    page = text(newcomer_client.get(PROGRAMME))
    assert "<b>Angkatan</b>" not in page
    assert "Date you completed &lt;b&gt;Angkatan&lt;/b&gt; &amp; Co" in page


def test_a_save_that_clashes_with_another_at_the_same_moment_is_a_clear_400(newcomer_client, newcomer, session,
                                                                             seller, monkeypatch):
    # As if another shop took the same web address between our check and our save.
    monkeypatch.setattr(onboarding, "unique_slug", lambda *args, **kwargs: seller.slug)
    response = fill_shop(newcomer_client)
    assert response.status_code == 400
    assert "saved at the same moment" in text(response)
    assert profile_of(session, newcomer) is None


def test_control_characters_are_dropped_not_a_server_error(newcomer_client, newcomer, session):
    response = fill_shop(newcomer_client, name="Batik\x00 Sri", story="Baris satu\r\nBaris\x07 dua")
    assert response.status_code == 303
    profile = profile_of(session, newcomer)
    assert profile.shop_name == "Batik Sri"
    assert profile.story == "Baris satu\nBaris dua"
    assert fill_shop(newcomer_client, name="\x00\x01").status_code == 400


def test_staff_are_not_invited_to_open_a_shop(officer_client, client):
    onboarding_link = 'href="/penjual/daftar-toko"'
    assert onboarding_link not in officer_client.get("/").get_data(as_text=True)
    assert onboarding_link in client.get("/").get_data(as_text=True)
