"""Full-text search: Indonesian words, prefixes, affixes, accents, and hostile input, on both engines.

The expected results are written out once and hold on SQLite (FTS5) and PostgreSQL alike.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.models import ProductStatus, SearchDocument, SellerStatus
from marketplace.services import catalog, search
from tests import factories


def found(session, text: str) -> list[str]:
    page = catalog.list_products(session, catalog.ListingFilters(q=text, sort="relevance"), per_page=50)
    return [p.name for p in page.items]


@pytest.fixture
def market(session):
    crafts = factories.make_category(session, name_id="Kerajinan", name_en="Crafts", slug="kerajinan")
    food = factories.make_category(session, name_id="Makanan", name_en="Food", slug="makanan")
    organik = factories.make_tag(session, slug="organik", name_id="Organik", name_en="Organic")
    sri = factories.make_seller(session, shop_name="Bu Sri Kreatif", kecamatan_code="35.05.10")
    tani = factories.make_seller(session, shop_name="Tani Makmur", kecamatan_code="35.05.11")
    factories.make_product(session, seller=sri, category=crafts, name="Tas Anyaman Plastik")
    factories.make_product(session, seller=sri, category=crafts, name="Keranjang Bambu")
    factories.make_product(session, seller=tani, category=food, name="Keripik Pisang", tags=[organik])
    factories.make_product(session, seller=tani, category=food, name="Beras Merah Organik")
    factories.make_product(session, seller=sri, category=crafts, name="Dompet Kafé Rajut")
    return {"crafts": crafts, "sri": sri, "tani": tani}


def test_a_whole_word_finds_its_product(session, market):
    assert found(session, "keripik") == ["Keripik Pisang"]


def test_a_word_being_typed_finds_longer_words(session, market):
    # "kera" starts "keranjang" and the category "kerajinan", not "keripik".
    assert set(found(session, "kera")) == {"Tas Anyaman Plastik", "Keranjang Bambu", "Dompet Kafé Rajut"}
    assert found(session, "keranj") == ["Keranjang Bambu"]
    assert found(session, "kerip") == ["Keripik Pisang"]


def test_affixes_need_not_be_typed_exactly(session, market):
    # "menganyam" and "anyam" both reduce to the stem of "anyaman".
    assert found(session, "menganyam") == ["Tas Anyaman Plastik"]
    assert found(session, "anyam") == ["Tas Anyaman Plastik"]


def test_category_names_are_searchable_with_their_stem(session, market):
    # Every crafts product sits in "Kerajinan", whose stem is "rajin".
    assert set(found(session, "kerajinan")) == {"Tas Anyaman Plastik", "Keranjang Bambu", "Dompet Kafé Rajut"}
    assert set(found(session, "rajin")) == {"Tas Anyaman Plastik", "Keranjang Bambu", "Dompet Kafé Rajut"}


def test_case_and_accents_do_not_matter(session, market):
    assert found(session, "KAFE") == ["Dompet Kafé Rajut"]
    assert found(session, "kafé") == ["Dompet Kafé Rajut"]


def test_tags_producer_names_and_english_category_names_are_searched(session, market):
    assert set(found(session, "organik")) == {"Keripik Pisang", "Beras Merah Organik"}
    assert set(found(session, "tani makmur")) == {"Keripik Pisang", "Beras Merah Organik"}
    assert set(found(session, "food")) == {"Keripik Pisang", "Beras Merah Organik"}


def test_a_match_in_the_name_ranks_above_one_elsewhere(session, market):
    # Both are organic; only "Beras Merah Organik" says so in its name.
    assert found(session, "organik") == ["Beras Merah Organik", "Keripik Pisang"]


def test_every_word_must_match(session, market):
    assert found(session, "tas plastik") == ["Tas Anyaman Plastik"]
    assert found(session, "tas pisang") == []


@pytest.mark.parametrize("hostile", [
    '"', '""', '"tas', "tas*", "*", "NEAR(tas plastik)", "tas OR", "OR", "-tas", "tas -plastik", "AND NOT",
    "tas' OR '1'='1", "'; DROP TABLE products; --", "a:*", "tas & | !", "(((", "^tas", "🧺", "🧺 tas 🙂",
    "x" * 2000, "\x00tas", "",
])
def test_hostile_search_text_never_reaches_the_engine_as_syntax(session, market, hostile):
    names = found(session, hostile)  # no exception: quotes and operators became plain words or vanished
    assert isinstance(names, list)
    assert session.scalar(select(SearchDocument.product_id).limit(1)) is not None  # the index is intact


def test_operators_are_read_as_words(session, market):
    assert found(session, '"tas"') == ["Tas Anyaman Plastik"]
    assert found(session, "tas*") == ["Tas Anyaman Plastik"]
    assert found(session, "🧺 tas 🙂") == ["Tas Anyaman Plastik"]


def test_text_without_searchable_words_finds_nothing(session, market):
    page = catalog.list_products(session, catalog.ListingFilters(q="🧺 * -"), per_page=50)
    assert page.items == [] and page.searched


def test_the_index_follows_renames_and_unpublishing(session, market):
    bag = session.scalars(select(catalog.Product).where(catalog.Product.name == "Tas Anyaman Plastik")).one()
    bag.name = "Tas Batik Tulis"
    bag.description = "Batik tulis khas Blitar."
    session.commit()
    assert found(session, "batik") == ["Tas Batik Tulis"]
    assert found(session, "plastik") == []

    bag.status = ProductStatus.DRAFT
    session.commit()
    assert found(session, "batik") == []


def test_the_index_follows_the_producer(session, market):
    market["tani"].shop_name = "Sumber Rejeki"
    session.commit()
    assert set(found(session, "rejeki")) == {"Keripik Pisang", "Beras Merah Organik"}

    market["tani"].status = SellerStatus.SUSPENDED
    session.commit()
    assert found(session, "rejeki") == []
    assert found(session, "keripik") == []


def test_the_index_follows_categories_and_tags(session, market):
    market["crafts"].name_id = "Kriya"
    session.commit()
    assert set(found(session, "kriya")) == {"Tas Anyaman Plastik", "Keranjang Bambu", "Dompet Kafé Rajut"}

    tag = session.scalars(select(catalog.Tag).where(catalog.Tag.slug == "organik")).one()
    tag.name_id = "Alami"
    session.commit()
    assert found(session, "alami") == ["Keripik Pisang"]


def test_deleted_products_leave_the_index(session, market):
    bag = session.scalars(select(catalog.Product).where(catalog.Product.name == "Keranjang Bambu")).one()
    bag_id = bag.id
    session.delete(bag)
    session.commit()
    assert session.get(SearchDocument, bag_id) is None
    assert found(session, "keranjang") == []


def test_rebuilding_the_index_gives_the_same_results(session, market):
    before = {q: found(session, q) for q in ("kera", "organik", "anyam", "kafe", "tani")}
    written = search.rebuild_search_index(session)
    assert written == 5
    assert {q: found(session, q) for q in before} == before


def test_rebuild_skips_products_that_are_not_public(session, market):
    factories.make_product(session, name="Batik Rahasia", status=ProductStatus.DRAFT)
    assert search.rebuild_search_index(session) == 5
    assert found(session, "rahasia") == []


def test_parse_query_keeps_only_plain_terms():
    parsed = search.parse_query('Kerajinan "TAS"* OR -x NEAR(')
    assert parsed.groups == (("kerajinan", "rajin"), ("tas",), ("or",), ("near",))
    assert parsed.fts5() == '("kerajinan"* OR "rajin"*) AND ("tas"*) AND ("or"*) AND ("near"*)'
    assert parsed.tsquery() == "(kerajinan:* | rajin:*) & (tas:*) & (or:*) & (near:*)"


def test_parse_query_is_bounded():
    parsed = search.parse_query(" ".join(f"kata{n}" for n in range(100)))
    assert len(parsed.groups) == search.MAX_QUERY_WORDS


def test_index_terms_keep_the_word_and_its_stem():
    assert search.index_terms("Anyaman Kerajinan") == "anyaman anyam kerajinan rajin"


def search_for(session, text: str, page: int = 1, per_page: int = 2) -> catalog.Page:
    return catalog.list_products(session, catalog.ListingFilters(q=text, sort="relevance"), page, per_page)


def test_a_search_counts_and_ranks_only_its_newest_candidates(session, market, monkeypatch):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    for n in range(3):
        factories.make_product(session, seller=market["sri"], name=f"Tas Kain {n}")
    first = search_for(session, "tas")
    # Four products match: the page says "more than 2" and offers only the two newest, ranked.
    assert first.total == 2 and first.capped and first.pages == 1
    assert [p.name for p in first.items] == ["Tas Kain 2", "Tas Kain 1"]
    assert search_for(session, "tas", page=2).out_of_range


def test_a_search_within_the_cap_counts_exactly(session, market, monkeypatch):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    page = search_for(session, "organik")
    assert page.total == 2 and not page.capped
    assert [p.name for p in page.items] == ["Beras Merah Organik", "Keripik Pisang"]


def add_products(session, seller, names) -> None:
    for name in names:
        factories.make_product(session, seller=seller, name=name, commit=False)
    session.commit()


@pytest.fixture
def spy_walk(monkeypatch):
    """Record what each walk along the primary key (PostgreSQL only) returned."""
    results = []
    walk = search._pg_walk

    def spied(*args, **kwargs):
        results.append(walk(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(search, "_pg_walk", spied)
    return results


@pytest.mark.parametrize("walk", [True, False], ids=["common-matches-walk", "index-only"])
def test_common_and_rare_matches_give_the_same_page(session, market, monkeypatch, spy_walk, walk):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 3)
    monkeypatch.setattr(search, "SAMPLE_ROWS", 4)
    monkeypatch.setattr(search, "MAX_WALK_ROWS", 1000 if walk else 0)
    add_products(session, market["sri"], ["Tas Lama", "Kopi Bubuk", "Tas Kulit", "Tas Rotan Tas", "Tas Batik"])
    page = search_for(session, "tas", per_page=10)
    # The three newest of five matches, the one with "tas" twice in its name first.
    assert [p.name for p in page.items] == ["Tas Rotan Tas", "Tas Batik", "Tas Kulit"]
    assert page.total == 3 and page.capped
    if search.is_postgres(session):
        assert [result is not None for result in spy_walk] == [walk]


def test_a_walk_that_ends_short_of_the_cap_falls_back_to_the_index(session, market, monkeypatch, spy_walk):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    monkeypatch.setattr(search, "SAMPLE_ROWS", 2)
    # The newest two both match, so a walk looks worthwhile, but it reaches only a few ids
    # back: the older matches lie behind many products that do not match.
    add_products(session, market["sri"], ["Tas Lama 1", "Tas Lama 2"] + [f"Kopi {n}" for n in range(8)]
                 + ["Tas Baru 1", "Tas Baru 2"])
    page = search_for(session, "tas", per_page=10)
    assert sorted(p.name for p in page.items) == ["Tas Baru 1", "Tas Baru 2"]
    assert page.total == 2 and page.capped
    if search.is_postgres(session):
        assert spy_walk == [None]


def test_the_reindex_command_rebuilds_the_index(app, session, market):
    session.execute(SearchDocument.__table__.delete())
    session.commit()
    assert found(session, "keripik") == []
    result = app.test_cli_runner().invoke(args=["search-reindex"])
    assert result.exit_code == 0 and "Indexed 5 public products." in result.output
    assert found(session, "keripik") == ["Keripik Pisang"]
