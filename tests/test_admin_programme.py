"""Officers manage training types, cohorts and categories: unique slugs, sensible dates,
no category loops, no deleting a category in use, and every change in the audit log."""
from __future__ import annotations

import pytest

import json
from datetime import date

from marketplace.models import AuditLog, Category, Cohort, TrainingType
from tests import factories


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Officers read these pages in English, so assertions use the English msgids whatever the catalogue says."""
    for name in ("officer", "admin_user"):
        if name in request.fixturenames:
            request.getfixturevalue(name).preferred_language = "en"
    session.commit()


def last_audit(session, action):
    return session.query(AuditLog).filter_by(action=action).order_by(AuditLog.id.desc()).first()


# ---- training types ----------------------------------------------------------------------

def test_training_types_page_lists_types_and_their_cohorts(officer_client, session):
    factories.make_training(session, slug="menjahit", name_id="Menjahit", name_en="Sewing",
                            cohort_name="Angkatan Menjahit I")

    page = officer_client.get("/petugas/pelatihan").get_data(as_text=True)

    assert "Menjahit" in page and "Sewing" in page and "Angkatan Menjahit I" in page


def test_creating_a_training_type_is_saved_and_audited(officer_client, session, officer):
    response = officer_client.post("/petugas/pelatihan/baru", data={
        "name_id": "Daur ulang plastik", "name_en": "Plastic recycling", "slug": "daur-ulang"})

    assert response.status_code == 303
    training = session.query(TrainingType).filter_by(slug="daur-ulang").one()
    assert (training.name_id, training.name_en) == ("Daur ulang plastik", "Plastic recycling")
    entry = last_audit(session, "training_type.created")
    assert entry.actor_id == officer.id and entry.subject_id == training.id


def test_an_empty_slug_is_made_from_the_indonesian_name(officer_client, session):
    officer_client.post("/petugas/pelatihan/baru", data={"name_id": "Pertanian Organik & Pupuk", "name_en": "Organic"})
    assert session.query(TrainingType).filter_by(slug="pertanian-organik-pupuk").count() == 1


def test_a_duplicate_training_slug_is_refused(officer_client, session):
    factories.make_training(session, slug="menjahit")

    response = officer_client.post("/petugas/pelatihan/baru", data={
        "name_id": "Menjahit lanjutan", "name_en": "Advanced sewing", "slug": "menjahit"})

    assert response.status_code == 400
    assert "This short name is already used." in response.get_data(as_text=True)
    assert session.query(TrainingType).count() == 1


def test_a_malformed_slug_is_refused(officer_client, session):
    response = officer_client.post("/petugas/pelatihan/baru", data={
        "name_id": "Menjahit", "name_en": "Sewing", "slug": "Menjahit Baju!"})
    assert response.status_code == 400
    assert "Use only small letters, digits and single hyphens" in response.get_data(as_text=True)
    assert session.query(TrainingType).count() == 0


def test_missing_names_are_refused(officer_client, session):
    response = officer_client.post("/petugas/pelatihan/baru", data={"name_id": "", "name_en": ""})
    assert response.status_code == 400
    assert "Enter the Indonesian name." in response.get_data(as_text=True)
    assert session.query(TrainingType).count() == 0


def test_editing_a_training_type_records_what_changed(officer_client, session, officer):
    training = factories.make_training(session, slug="menjahit", name_en="Sewing").training_type

    response = officer_client.post(f"/petugas/pelatihan/{training.id}/ubah", data={
        "name_id": training.name_id, "name_en": "Sewing and tailoring", "slug": "menjahit"})

    assert response.status_code == 303
    session.refresh(training)
    assert training.name_en == "Sewing and tailoring"
    entry = last_audit(session, "training_type.updated")
    assert entry.actor_id == officer.id
    assert json.loads(entry.details) == {"name_en": ["Sewing", "Sewing and tailoring"]}


def test_editing_a_training_type_may_keep_its_own_slug_but_not_take_anothers(officer_client, session):
    sewing = factories.make_training(session, slug="menjahit").training_type
    factories.make_training(session, slug="batik")

    response = officer_client.post(f"/petugas/pelatihan/{sewing.id}/ubah", data={
        "name_id": "Menjahit", "name_en": "Sewing", "slug": "batik"})

    assert response.status_code == 400
    session.refresh(sewing)
    assert sewing.slug == "menjahit"


def test_editing_an_unknown_training_type_is_not_found(officer_client):
    assert officer_client.get("/petugas/pelatihan/9999/ubah").status_code == 404
    assert officer_client.post("/petugas/pelatihan/9999/ubah", data={"name_id": "x", "name_en": "x"}).status_code == 404


# ---- cohorts -----------------------------------------------------------------------------

def test_creating_a_cohort_is_saved_and_audited(officer_client, session, officer):
    training = factories.make_training(session, slug="menjahit").training_type

    response = officer_client.post("/petugas/pelatihan/angkatan/baru", data={
        "training_type_id": str(training.id), "name": "Angkatan 2026", "place": "Balai Desa Garum",
        "start_date": "2026-02-02", "end_date": "2026-02-14"})

    assert response.status_code == 303
    cohort = session.query(Cohort).filter_by(name="Angkatan 2026").one()
    assert (cohort.start_date, cohort.end_date, cohort.place) == (date(2026, 2, 2), date(2026, 2, 14), "Balai Desa Garum")
    assert last_audit(session, "cohort.created").subject_id == cohort.id


def test_the_new_cohort_form_preselects_the_training_type(officer_client, session):
    training = factories.make_training(session, slug="menjahit").training_type
    page = officer_client.get(f"/petugas/pelatihan/angkatan/baru?jenis={training.id}").get_data(as_text=True)
    assert f'<option selected value="{training.id}">' in page or f'<option value="{training.id}" selected>' in page


def test_a_cohort_cannot_end_before_it_starts(officer_client, session):
    training = factories.make_training(session, slug="menjahit").training_type

    response = officer_client.post("/petugas/pelatihan/angkatan/baru", data={
        "training_type_id": str(training.id), "name": "Angkatan Salah", "start_date": "2026-02-14",
        "end_date": "2026-02-02"})

    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.get_data(as_text=True)
    assert session.query(Cohort).filter_by(name="Angkatan Salah").count() == 0


def test_a_one_day_cohort_is_fine(officer_client, session):
    training = factories.make_training(session, slug="menjahit").training_type
    response = officer_client.post("/petugas/pelatihan/angkatan/baru", data={
        "training_type_id": str(training.id), "name": "Pelatihan sehari", "start_date": "2026-02-14",
        "end_date": "2026-02-14"})
    assert response.status_code == 303


def test_bad_dates_and_tampered_training_types_are_refused(officer_client, session):
    training = factories.make_training(session, slug="menjahit").training_type
    for data in (
        {"training_type_id": str(training.id), "name": "A", "start_date": "14-02-2026", "end_date": "2026-02-20"},
        {"training_type_id": str(training.id), "name": "A", "start_date": "", "end_date": "2026-02-20"},
        {"training_type_id": "99999", "name": "A", "start_date": "2026-02-14", "end_date": "2026-02-20"},
        {"training_type_id": "abc", "name": "A", "start_date": "2026-02-14", "end_date": "2026-02-20"},
    ):
        response = officer_client.post("/petugas/pelatihan/angkatan/baru", data=data)
        assert response.status_code == 400, data
    assert session.query(Cohort).filter_by(name="A").count() == 0


def test_editing_a_cohort_is_audited_and_checks_the_dates(officer_client, session, officer):
    cohort = factories.make_training(session, slug="menjahit", cohort_name="Angkatan I",
                                     start=date(2025, 3, 1), end=date(2025, 3, 14))
    url = f"/petugas/pelatihan/angkatan/{cohort.id}/ubah"
    base = {"training_type_id": str(cohort.training_type_id), "name": "Angkatan I", "place": "Balai Desa"}

    assert officer_client.post(url, data={**base, "start_date": "2025-03-01", "end_date": "2025-02-01"}).status_code == 400
    assert officer_client.post(url, data={**base, "start_date": "2025-03-01", "end_date": "2025-03-21"}).status_code == 303

    session.refresh(cohort)
    assert cohort.end_date == date(2025, 3, 21)
    entry = last_audit(session, "cohort.updated")
    assert entry.actor_id == officer.id
    assert json.loads(entry.details) == {"end_date": ["2025-03-14", "2025-03-21"]}


def test_editing_an_unknown_cohort_is_not_found(officer_client):
    assert officer_client.get("/petugas/pelatihan/angkatan/9999/ubah").status_code == 404


# ---- categories --------------------------------------------------------------------------

def test_categories_page_shows_the_tree_with_children_under_parents(officer_client, session):
    crafts = factories.make_category(session, name_id="Kerajinan", slug="kerajinan")
    factories.make_category(session, name_id="Anyaman", slug="anyaman", parent=crafts)
    factories.make_category(session, name_id="Busana", slug="busana")

    page = officer_client.get("/petugas/kategori").get_data(as_text=True)

    assert page.index("Busana") < page.index("Kerajinan") < page.index("Anyaman")
    assert "admin-depth-1" in page


def test_creating_a_category_under_a_parent_is_saved_and_audited(officer_client, session, officer):
    crafts = factories.make_category(session, name_id="Kerajinan", slug="kerajinan")

    response = officer_client.post("/petugas/kategori/baru", data={
        "name_id": "Anyaman", "name_en": "Weaving", "slug": "anyaman", "parent_id": str(crafts.id), "position": "2"})

    assert response.status_code == 303
    weaving = session.query(Category).filter_by(slug="anyaman").one()
    assert weaving.parent_id == crafts.id and weaving.position == 2
    entry = last_audit(session, "category.created")
    assert entry.actor_id == officer.id and entry.subject_id == weaving.id


def test_a_duplicate_category_slug_is_refused(officer_client, session):
    factories.make_category(session, slug="kerajinan")
    response = officer_client.post("/petugas/kategori/baru", data={
        "name_id": "Kerajinan lain", "name_en": "Other crafts", "slug": "kerajinan", "parent_id": ""})
    assert response.status_code == 400
    assert "This short name is already used." in response.get_data(as_text=True)
    assert session.query(Category).count() == 1


def test_a_category_cannot_be_its_own_parent_or_sit_under_its_descendant(officer_client, session):
    top = factories.make_category(session, name_id="Kerajinan", slug="kerajinan")
    middle = factories.make_category(session, name_id="Anyaman", slug="anyaman", parent=top)
    bottom = factories.make_category(session, name_id="Anyaman bambu", slug="anyaman-bambu", parent=middle)
    url = f"/petugas/kategori/{top.id}/ubah"
    data = {"name_id": "Kerajinan", "name_en": "Crafts", "slug": "kerajinan"}

    for parent in (top, middle, bottom):
        response = officer_client.post(url, data={**data, "parent_id": str(parent.id)})
        assert response.status_code == 400, parent.slug
        assert "cannot be placed under itself" in response.get_data(as_text=True)

    session.refresh(top)
    assert top.parent_id is None
    assert session.query(AuditLog).filter_by(action="category.updated").count() == 0


def test_moving_a_category_under_an_unrelated_one_is_fine(officer_client, session):
    crafts = factories.make_category(session, name_id="Kerajinan", slug="kerajinan")
    weaving = factories.make_category(session, name_id="Anyaman", slug="anyaman", parent=crafts)
    clothes = factories.make_category(session, name_id="Busana", slug="busana")

    response = officer_client.post(f"/petugas/kategori/{weaving.id}/ubah", data={
        "name_id": "Anyaman", "name_en": "Weaving", "slug": "anyaman", "parent_id": str(clothes.id)})

    assert response.status_code == 303
    session.refresh(weaving)
    assert weaving.parent_id == clothes.id
    assert json.loads(last_audit(session, "category.updated").details)["parent_id"] == [crafts.id, clothes.id]


def test_a_tampered_parent_or_position_is_refused(officer_client, session):
    for extra in ({"parent_id": "99999"}, {"parent_id": "x"}, {"position": "abc"}, {"position": "-1"}):
        response = officer_client.post("/petugas/kategori/baru", data={
            "name_id": "Busana", "name_en": "Clothes", "slug": "busana", **extra})
        assert response.status_code == 400, extra
    assert session.query(Category).count() == 0


def test_renaming_a_category_in_use_keeps_its_products(officer_client, session, seller):
    category = factories.make_category(session, name_id="Kerajinan", name_en="Crafts", slug="kerajinan")
    product = factories.make_product(session, seller=seller, category=category)

    response = officer_client.post(f"/petugas/kategori/{category.id}/ubah", data={
        "name_id": "Kerajinan tangan", "name_en": "Handicrafts", "slug": "kerajinan", "parent_id": ""})

    assert response.status_code == 303
    session.refresh(product)
    assert product.category.name_id == "Kerajinan tangan"


def test_a_category_in_use_cannot_be_deleted_and_rename_is_offered(officer_client, session, seller):
    category = factories.make_category(session, slug="kerajinan")
    factories.make_product(session, seller=seller, category=category)

    edit_page = officer_client.get(f"/petugas/kategori/{category.id}/ubah").get_data(as_text=True)
    assert f"/petugas/kategori/{category.id}/hapus" not in edit_page
    assert "You can rename it above instead." in edit_page

    response = officer_client.post(f"/petugas/kategori/{category.id}/hapus")

    assert response.status_code == 409
    assert "Rename it instead." in response.get_data(as_text=True)
    assert session.get(Category, category.id) is not None
    assert session.query(AuditLog).filter_by(action="category.deleted").count() == 0


def test_a_category_with_sub_categories_cannot_be_deleted(officer_client, session):
    parent = factories.make_category(session, slug="kerajinan")
    factories.make_category(session, slug="anyaman", parent=parent)

    response = officer_client.post(f"/petugas/kategori/{parent.id}/hapus")

    assert response.status_code == 409
    assert session.get(Category, parent.id) is not None


def test_an_unused_category_can_be_deleted_and_it_is_audited(officer_client, session, officer):
    category = factories.make_category(session, slug="salah-ketik", name_id="Kerajnan")
    category_id = category.id

    response = officer_client.post(f"/petugas/kategori/{category_id}/hapus")

    assert response.status_code == 303
    session.expire_all()
    assert session.get(Category, category_id) is None
    entry = last_audit(session, "category.deleted")
    assert entry.actor_id == officer.id and entry.subject_id == category_id
    assert json.loads(entry.details)["slug"] == "salah-ketik"


def test_unknown_categories_are_not_found(officer_client):
    assert officer_client.get("/petugas/kategori/9999/ubah").status_code == 404
    assert officer_client.post("/petugas/kategori/9999/hapus").status_code == 404


def test_programme_forms_need_a_csrf_token(officer_client, session, csrf_enabled):
    category = factories.make_category(session, slug="kerajinan")
    assert officer_client.post("/petugas/pelatihan/baru", data={"name_id": "A", "name_en": "A"}).status_code == 400
    assert officer_client.post("/petugas/kategori/baru", data={"name_id": "A", "name_en": "A"}).status_code == 400
    assert officer_client.post(f"/petugas/kategori/{category.id}/hapus").status_code == 400
    assert session.query(TrainingType).count() == 0
    assert session.query(Category).count() == 1
