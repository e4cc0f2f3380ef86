"""Officers approve, reject, suspend and reinstate producers: the queue, the allowed
transitions, the producer's e-mail in their language, and the audit trail."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from marketplace.models import AuditLog, SellerStatus
from marketplace.services import approvals
from tests import factories


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Officers read these pages in English, so assertions use the English msgids whatever the catalogue says."""
    for name in ("officer", "admin_user"):
        if name in request.fixturenames:
            request.getfixturevalue(name).preferred_language = "en"
    session.commit()

# A few Indonesian strings, so tests can tell the two languages apart before the real
# catalogue exists (translations/ is filled in by the translator pass).
INDONESIAN = {
    "Your shop %(shop)s is approved": "Toko %(shop)s sudah disetujui",
    "Your shop %(shop)s was not approved yet": "Toko %(shop)s belum disetujui",
    "Your shop %(shop)s is suspended": "Toko %(shop)s ditangguhkan",
    "Your shop %(shop)s is open again": "Toko %(shop)s dibuka kembali",
    "Your product %(product)s was taken down": "Produk %(product)s diturunkan",
    "Reason: %(reason)s": "Alasan: %(reason)s",
}


@pytest.fixture
def indonesian_catalogue(app):
    """Serve INDONESIAN as the 'id' catalogue for one test."""
    catalog = Catalog(locale="id")
    for msgid, msgstr in INDONESIAN.items():
        catalog.add(msgid, msgstr)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    domain = app.extensions["babel"].instance.domain_instance
    key = ("id", "messages")
    saved = domain.cache.get(key)
    domain.cache[key] = Translations(fp=buffer)
    yield
    if saved is None:
        domain.cache.pop(key, None)
    else:
        domain.cache[key] = saved


def pending_seller(session, *, story=None, desa=None, address=None, **fields):
    fields.setdefault("shop_name", "Anyaman Bu Sri")
    submitted_at = fields.pop("submitted_at", None)
    profile = factories.make_seller(session, status=SellerStatus.PENDING, **fields)
    for name, value in (("story", story), ("desa", desa), ("address", address), ("submitted_at", submitted_at)):
        if value is not None:
            setattr(profile, name, value)
    session.commit()
    return profile


def decide_url(profile, slug):
    return f"/petugas/penjual/{profile.id}/{slug}"


def audit_entries(session, action=None):
    query = session.query(AuditLog).order_by(AuditLog.id)
    if action:
        query = query.filter_by(action=action)
    return query.all()


# ---- the queue and the detail page -------------------------------------------------------

def test_queue_lists_pending_producers_oldest_first_with_everything_they_entered(officer_client, session):
    now = datetime.now(timezone.utc)
    cohort = factories.make_training(session, cohort_name="Angkatan Menjahit 2025", slug="menjahit",
                                     name_id="Menjahit", name_en="Sewing")
    newer = pending_seller(session, shop_name="Toko Baru", submitted_at=now - timedelta(hours=1))
    older = pending_seller(
        session, shop_name="Batik Bu Tini", submitted_at=now - timedelta(days=3), products_summary="Batik tulis",
        story="Kami membatik sejak 1990.", kecamatan_code="35.05.11", desa="Sumberdiren", address="Jl. Mawar 5",
        whatsapp="+6281234567891", group_name="KWT Mawar", in_programme=True, nib="1234567890123",
        pirt="206350501012324", halal="ID35110000123450123", data_consent_at=now - timedelta(days=4),
    )
    factories.enrol(session, older, cohort, completed_on=date(2025, 3, 14))
    not_in = pending_seller(session, shop_name="Tani Mandiri", in_programme=False,
                            submitted_at=now - timedelta(days=2))
    factories.make_seller(session, shop_name="Sudah Disetujui")

    response = officer_client.get("/petugas/penjual")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("Batik Bu Tini") < page.index("Tani Mandiri") < page.index("Toko Baru")
    assert "Sudah Disetujui" not in page
    for text in ("Batik tulis", "Kami membatik sejak 1990.", "Garum", "Sumberdiren", "Jl. Mawar 5",
                 "https://wa.me/6281234567891", "KWT Mawar", "Sewing", "Angkatan Menjahit 2025", "14 March 2025",
                 "1234567890123", "206350501012324", "ID35110000123450123", "Not in the programme"):
        assert text in page, text
    assert f"/petugas/penjual/{newer.id}" in page and f"/petugas/penjual/{not_in.id}" in page


def test_producer_page_shows_details_and_only_the_decisions_allowed_now(officer_client, session):
    profile = pending_seller(session)

    page = officer_client.get(f"/petugas/penjual/{profile.id}").get_data(as_text=True)

    assert decide_url(profile, "setujui") in page
    assert decide_url(profile, "tolak") in page
    assert decide_url(profile, "tangguhkan") not in page
    assert decide_url(profile, "pulihkan") not in page


def test_unknown_producer_and_unknown_status_filter_are_refused(officer_client):
    assert officer_client.get("/petugas/penjual/999999").status_code == 404
    assert officer_client.post("/petugas/penjual/999999/setujui").status_code == 404
    assert officer_client.get("/petugas/penjual?status=bogus").status_code == 400
    assert officer_client.get("/petugas/penjual?status=draft").status_code == 400
    assert officer_client.get("/petugas/penjual?page=abc").status_code == 404


def test_unknown_decision_in_the_url_is_not_found(officer_client, session):
    profile = pending_seller(session)
    assert officer_client.post(f"/petugas/penjual/{profile.id}/hapus").status_code == 404
    session.refresh(profile)
    assert profile.status == SellerStatus.PENDING


# ---- approve -----------------------------------------------------------------------------

def test_approving_makes_the_producer_public_records_who_and_when_and_mails_them(
        officer_client, officer, session, mail_outbox, client):
    profile = pending_seller(session, shop_name="Batik Bu Tini")
    factories.make_product(session, seller=profile, name="Kain Batik Tulis")
    assert "Kain Batik Tulis" not in client.get("/").get_data(as_text=True)

    response = officer_client.post(decide_url(profile, "setujui"))

    assert response.status_code == 303
    session.refresh(profile)
    assert profile.status == SellerStatus.APPROVED
    assert profile.approved_by_id == officer.id
    assert profile.approved_at is not None
    assert profile.status_reason == ""
    [entry] = audit_entries(session, "seller.approved")
    assert entry.actor_id == officer.id and entry.subject_type == "seller" and entry.subject_id == profile.id
    assert json.loads(entry.details) == {"from": "pending", "to": "approved", "shop": "Batik Bu Tini"}
    [mail] = mail_outbox
    assert mail.to == profile.user.email
    assert "Batik Bu Tini" in mail.subject
    assert "Kain Batik Tulis" in client.get("/").get_data(as_text=True)


def test_approval_mail_is_in_the_producers_language(officer_client, session, mail_outbox, indonesian_catalogue):
    indonesian = pending_seller(session, shop_name="Toko Indo",
                                user=factories.make_user(session, language="id", commit=False))
    english = pending_seller(session, shop_name="Toko English",
                             user=factories.make_user(session, language="en", commit=False))

    officer_client.post(decide_url(indonesian, "setujui"))
    officer_client.post(decide_url(english, "setujui"))

    subjects = {mail.to: mail.subject for mail in mail_outbox}
    assert subjects[indonesian.user.email] == "Toko Toko Indo sudah disetujui"
    assert subjects[english.user.email] == "Your shop Toko English is approved"


# ---- reject ------------------------------------------------------------------------------

def test_rejecting_needs_a_reason(officer_client, session, mail_outbox):
    profile = pending_seller(session)

    response = officer_client.post(decide_url(profile, "tolak"), data={"reason": "   "})

    assert response.status_code == 400
    assert "Write the reason: the producer will read it." in response.get_data(as_text=True)
    session.refresh(profile)
    assert profile.status == SellerStatus.PENDING
    assert audit_entries(session) == []
    assert mail_outbox == []


def test_rejecting_stores_the_reason_mails_it_in_their_language_and_audits_it(
        officer_client, officer, session, mail_outbox, indonesian_catalogue):
    profile = pending_seller(session, shop_name="Anyaman Bu Sri")

    response = officer_client.post(decide_url(profile, "tolak"), data={"reason": "Foto toko belum jelas."})

    assert response.status_code == 303
    session.refresh(profile)
    assert profile.status == SellerStatus.REJECTED
    assert profile.status_reason == "Foto toko belum jelas."
    assert profile.approved_at is None and profile.approved_by_id is None
    [entry] = audit_entries(session, "seller.rejected")
    assert entry.actor_id == officer.id and entry.reason == "Foto toko belum jelas."
    [mail] = mail_outbox
    assert mail.subject == "Toko Anyaman Bu Sri belum disetujui"
    assert "Alasan: Foto toko belum jelas." in mail.body


def test_a_reason_that_is_too_long_is_refused(officer_client, session):
    profile = pending_seller(session)
    response = officer_client.post(decide_url(profile, "tolak"), data={"reason": "x" * 2001})
    assert response.status_code == 400
    session.refresh(profile)
    assert profile.status == SellerStatus.PENDING


# ---- suspend and reinstate ---------------------------------------------------------------

def test_suspending_hides_the_producers_products_from_the_home_page(officer_client, session, client, mail_outbox):
    profile = factories.make_seller(session, shop_name="Tani Organik Garum")
    factories.make_product(session, seller=profile, name="Beras Organik Merah")
    assert "Beras Organik Merah" in client.get("/").get_data(as_text=True)

    response = officer_client.post(decide_url(profile, "tangguhkan"), data={"reason": "Banyak keluhan pembeli."})

    assert response.status_code == 303
    session.refresh(profile)
    assert profile.status == SellerStatus.SUSPENDED
    assert profile.status_reason == "Banyak keluhan pembeli."
    home = client.get("/").get_data(as_text=True)
    assert "Beras Organik Merah" not in home
    assert "Tani Organik Garum" not in home
    [mail] = mail_outbox
    assert "Banyak keluhan pembeli." in mail.body
    [entry] = audit_entries(session, "seller.suspended")
    assert entry.reason == "Banyak keluhan pembeli."


def test_suspending_needs_a_reason(officer_client, session):
    profile = factories.make_seller(session)
    response = officer_client.post(decide_url(profile, "tangguhkan"), data={"reason": ""})
    assert response.status_code == 400
    session.refresh(profile)
    assert profile.status == SellerStatus.APPROVED


def test_reinstating_keeps_the_first_approval_date_and_shows_the_products_again(
        officer_client, officer, session, client, mail_outbox, indonesian_catalogue):
    first_approval = datetime(2025, 1, 10, 3, 0, tzinfo=timezone.utc)
    first_officer = factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Lama")
    profile = factories.make_seller(session, shop_name="Tani Organik Garum", status=SellerStatus.SUSPENDED,
                                    status_reason="Banyak keluhan.")
    profile.approved_at, profile.approved_by_id = first_approval, first_officer.id
    session.commit()
    factories.make_product(session, seller=profile, name="Beras Organik Merah")

    response = officer_client.post(decide_url(profile, "pulihkan"), data={"reason": "Sudah dibina ulang."})

    assert response.status_code == 303
    session.refresh(profile)
    assert profile.status == SellerStatus.APPROVED
    assert profile.approved_at == first_approval
    assert profile.approved_by_id == first_officer.id
    assert profile.status_reason == ""
    [entry] = audit_entries(session, "seller.reinstated")
    assert entry.actor_id == officer.id and entry.reason == "Sudah dibina ulang."
    [mail] = mail_outbox
    assert mail.subject == "Toko Tani Organik Garum dibuka kembali"
    assert "Beras Organik Merah" in client.get("/").get_data(as_text=True)


def test_a_rejected_producer_who_resubmits_and_is_approved_gets_an_approval_date(officer_client, officer, session):
    profile = factories.make_seller(session, status=SellerStatus.REJECTED, status_reason="Kurang foto")
    profile.status = SellerStatus.PENDING  # as after the producer sends the shop again
    session.commit()

    officer_client.post(decide_url(profile, "setujui"))

    session.refresh(profile)
    assert profile.status == SellerStatus.APPROVED
    assert profile.approved_at is not None and profile.approved_by_id == officer.id


# ---- refused transitions -----------------------------------------------------------------

REFUSED = [
    (SellerStatus.DRAFT, "setujui"), (SellerStatus.DRAFT, "tolak"), (SellerStatus.DRAFT, "tangguhkan"),
    (SellerStatus.DRAFT, "pulihkan"),
    (SellerStatus.PENDING, "tangguhkan"), (SellerStatus.PENDING, "pulihkan"),
    (SellerStatus.APPROVED, "setujui"), (SellerStatus.APPROVED, "tolak"), (SellerStatus.APPROVED, "pulihkan"),
    (SellerStatus.REJECTED, "setujui"), (SellerStatus.REJECTED, "tolak"), (SellerStatus.REJECTED, "tangguhkan"),
    (SellerStatus.REJECTED, "pulihkan"),
    (SellerStatus.SUSPENDED, "setujui"), (SellerStatus.SUSPENDED, "tolak"), (SellerStatus.SUSPENDED, "tangguhkan"),
]


@pytest.mark.parametrize(("status", "slug"), REFUSED)
def test_transitions_that_are_not_allowed_are_refused_with_a_clear_message(
        officer_client, session, mail_outbox, status, slug):
    profile = factories.make_seller(session, status=status)
    approved_at = profile.approved_at

    response = officer_client.post(decide_url(profile, slug), data={"reason": "Alasan apa saja"})

    assert response.status_code == 409
    assert "This decision is not possible for a producer with this status." in response.get_data(as_text=True)
    session.refresh(profile)
    assert profile.status == status
    assert profile.approved_at == approved_at
    assert audit_entries(session) == []
    assert mail_outbox == []


def test_the_second_of_two_identical_decisions_is_refused(officer_client, session, mail_outbox):
    profile = pending_seller(session)
    assert officer_client.post(decide_url(profile, "setujui")).status_code == 303
    assert officer_client.post(decide_url(profile, "setujui")).status_code == 409
    assert len(audit_entries(session, "seller.approved")) == 1
    assert len(mail_outbox) == 1


def test_the_service_refuses_a_decision_when_the_status_changed_underneath(session, officer):
    """A stale copy (another officer decided meanwhile) cannot overwrite the newer decision."""
    from sqlalchemy import update

    from marketplace.models import SellerProfile

    profile = pending_seller(session)
    assert profile.status == SellerStatus.PENDING  # loaded now: this copy goes stale below
    session.expunge(profile)
    session.execute(update(SellerProfile).where(SellerProfile.id == profile.id)
                    .values(status=SellerStatus.REJECTED, status_reason="Ditolak petugas lain"))
    session.commit()
    session.add(profile)  # back in the session, still saying pending
    with pytest.raises(approvals.ApprovalError) as refused:
        approvals.decide(session, profile, decision="approve", actor_id=officer.id)
    assert refused.value.code == "not_allowed"
    session.refresh(profile)
    assert profile.status == SellerStatus.REJECTED
    assert audit_entries(session, "seller.approved") == []


# ---- the producer's view and CSRF --------------------------------------------------------

def test_the_producer_sees_the_status_and_reason_on_their_dashboard(officer_client, session, app):
    profile = pending_seller(session)
    officer_client.post(decide_url(profile, "tolak"), data={"reason": "Alamat belum lengkap."})

    producer = app.test_client()
    from tests.conftest import login
    login(producer, profile.user)
    page = producer.get("/penjual/").get_data(as_text=True)

    assert "Alamat belum lengkap." in page


def test_decisions_without_a_csrf_token_are_refused(officer_client, session, csrf_enabled, mail_outbox):
    profile = pending_seller(session)

    response = officer_client.post(decide_url(profile, "setujui"))

    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    session.refresh(profile)
    assert profile.status == SellerStatus.PENDING
    assert mail_outbox == []


def test_a_decision_with_a_valid_csrf_token_goes_through(officer_client, session, csrf_enabled):
    import re

    profile = pending_seller(session)
    page = officer_client.get(f"/petugas/penjual/{profile.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    response = officer_client.post(decide_url(profile, "tolak"), data={"csrf_token": token, "reason": "Kurang foto"})

    assert response.status_code == 303
    session.refresh(profile)
    assert profile.status == SellerStatus.REJECTED


def test_a_mail_server_failure_does_not_undo_the_decision(officer_client, session, app, monkeypatch):
    from marketplace.services import approvals as approvals_module

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(approvals_module, "send_mail", broken)
    profile = pending_seller(session)

    response = officer_client.post(decide_url(profile, "setujui"))

    assert response.status_code == 303
    session.refresh(profile)
    assert profile.status == SellerStatus.APPROVED
    assert len(audit_entries(session, "seller.approved")) == 1
