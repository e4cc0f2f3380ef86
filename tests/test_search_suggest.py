"""Search suggestions while typing: a small JSON endpoint behind a plain search form."""
from __future__ import annotations

import pytest

from tests import factories

@pytest.fixture
def client(app):
    """An anonymous visitor reading English, so the assertions read the English msgids."""
    visitor = app.test_client()
    with visitor.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    return visitor



@pytest.fixture
def products(session):
    factories.make_product(session, name="Kerajinan Bambu")
    factories.make_product(session, name="Keripik Tempe")
    factories.make_product(session, name="Batik Tulis")


def test_suggestions_complete_the_word_being_typed(client, products):
    response = client.get("/cari/saran?q=kera")
    assert response.status_code == 200
    assert [s["name"] for s in response.json["suggestions"]] == ["Kerajinan Bambu"]
    assert response.json["suggestions"][0]["url"].startswith("/produk/")


@pytest.mark.parametrize("q", ["", " ", "*", '"', "NEAR(", "🧺", "' OR 1=1 --"])
def test_nonsense_gets_no_suggestions_and_no_error(client, products, q):
    response = client.get("/cari/saran", query_string={"q": q})
    assert response.status_code == 200
    assert response.json["suggestions"] == []


def test_an_overlong_text_is_refused_clearly(client, products):
    response = client.get("/cari/saran", query_string={"q": "k" * 2000})
    assert response.status_code == 400
    assert "200" in response.json["error"]


def test_the_search_form_works_without_javascript(client, products):
    html = client.get("/").get_data(as_text=True)
    assert '<form class="search-form" method="get" action="/cari"' in html
    assert 'data-suggest-url="/cari/saran"' in html
    assert "search.js" in html
    response = client.get("/cari?q=batik")
    assert "Batik Tulis" in response.get_data(as_text=True)
