"""Bulk import from CSV: encodings and delimiters Excel writes, all-or-nothing, a table of
problems by row, updates by code, the downloadable template, and the limits."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from marketplace.models import Product, ProductStatus, SellerStatus
from marketplace.services import product_import
from tests import factories
from tests.conftest import login

IMPORT = "/penjual/produk/impor"
TEMPLATE = "/penjual/produk/impor/template.csv"


@pytest.fixture
def english_seller(session):
    return factories.make_seller(session, user=factories.make_user(session, language="en"))


@pytest.fixture
def en_client(app, english_seller):
    client = app.test_client()
    login(client, english_seller.user)
    return client


@pytest.fixture
def food(session):
    return factories.make_category(session, name_id="Makanan", name_en="Food", slug="makanan")


@pytest.fixture
def organic(session):
    return factories.make_tag(session, slug="organik", name_id="Organik", name_en="Organic")


def send(client, data: bytes, filename="produk.csv"):
    return client.post(IMPORT, data={"csv_file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def products_of(session, seller) -> list[Product]:
    session.expire_all()
    return list(session.scalars(select(Product).where(Product.seller_id == seller.id).order_by(Product.id)))


def page(response) -> str:
    return response.get_data(as_text=True)


GOOD = ("nama;kategori;harga;satuan;stok;berat_gram;deskripsi;tag;status\n"
        "Keripik Tempe;makanan;Rp 15.000;pack;20;250;Renyah — café;organik;terbit\n"
        "Gula Kelapa;Food;8.500;kg;5;1000;Dari Doko;;draft\n")


# ---- encodings and delimiters ----------------------------------------------------------------

@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8"),
    lambda text: text.encode("utf-8-sig"),
    lambda text: text.encode("cp1252"),
    lambda text: text.replace(";", ",").encode("utf-8"),
    lambda text: text.replace("\n", "\r\n").encode("utf-8-sig"),
], ids=["utf8", "utf8-bom", "windows-1252", "comma", "crlf-bom"])
def test_encodings_and_delimiters_excel_writes(en_client, english_seller, session, food, organic, encode):
    response = send(en_client, encode(GOOD))

    assert response.status_code == 303, page(response)[:3000]
    keripik, gula = products_of(session, english_seller)
    assert (keripik.name, keripik.price, keripik.unit, keripik.stock, keripik.weight_grams) == (
        "Keripik Tempe", 15_000, "pack", 20, 250)
    assert keripik.description == "Renyah — café"
    assert keripik.category_id == food.id and [t.slug for t in keripik.tags] == ["organik"]
    assert keripik.status == ProductStatus.PUBLISHED and keripik.published_at is not None
    assert (gula.price, gula.category_id, gula.status) == (8_500, food.id, ProductStatus.DRAFT)


def test_quoted_cells_may_hold_the_delimiter_and_line_breaks(en_client, english_seller, session):
    data = 'nama,harga,stok,deskripsi\n"Tas, besar",75000,2,"Baris satu\nbaris dua"\nDompet,20000,4,\n'

    assert send(en_client, data.encode()).status_code == 303
    tas, dompet = products_of(session, english_seller)
    assert tas.name == "Tas, besar" and tas.description == "Baris satu\nbaris dua" and dompet.stock == 4


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty"),
    (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook"),
    ("nama\tharga\n".encode("utf-16"), "encoding could not be read"),
    (b"nama;harga;stok\n\x81\x8d\x8f;1000;1\n", "encoding could not be read"),
    (b"nama;harga;stok\nA\x00B;1;1\n", "not a CSV text file"),
    (b"nama;harga;stok\n", "headers but no products"),
])
def test_files_that_are_not_readable_csv_are_refused_clearly(en_client, english_seller, session, data, message):
    response = send(en_client, data)

    assert response.status_code == 400
    assert message in page(response) and "Nothing was imported" in page(response)
    assert products_of(session, english_seller) == []


def test_wrong_headers_list_the_expected_ones(en_client, english_seller, session):
    response = send(en_client, b"name;price;stok\nTas;1000;1\n")

    text = page(response)
    assert response.status_code == 400
    assert "Unknown column &#34;name&#34;" in text or 'Unknown column "name"' in text
    assert "nama" in text and "harga" in text
    assert ("The expected columns are: kode, nama, kategori, harga, satuan, stok, berat_gram, deskripsi, tag, "
            "status") in text
    assert products_of(session, english_seller) == []


def test_headers_may_be_in_any_order_and_case(en_client, english_seller, session):
    assert send(en_client, b"STOK; Harga ;Nama;Berat Gram\n3;1.000;Sapu Lidi;400\n").status_code == 303
    (sapu,) = products_of(session, english_seller)
    assert (sapu.name, sapu.price, sapu.stock, sapu.weight_grams, sapu.unit) == ("Sapu Lidi", 1_000, 3, 400, "pcs")


# ---- all or nothing --------------------------------------------------------------------------

def test_one_bad_row_means_nothing_is_written_and_every_problem_is_listed(en_client, english_seller, session, food):
    existing = factories.make_product(session, seller=english_seller, name="Lama", price=5_000, stock=1)
    data = (
        "kode;nama;kategori;harga;satuan;stok;berat_gram;tag;status\n"
        f"{existing.slug};Lama Baru;;6.000;pcs;2;;;\n"       # row 2: fine
        ";Bagus;makanan;10.000;pcs;3;100;;draft\n"             # row 3: fine
        ";;makanan;abc;ton;-4;;;\n"                           # row 4: name, price, unit, stock
        ";Mahal;sayur;99999999999;pcs;1;;plastik;hapus\n"     # row 5: category, price, tag, status
    ).encode()

    response = send(en_client, data)

    text = page(response)
    assert response.status_code == 400
    assert "Nothing was imported" in text
    for expected in ("This is required.", "is not a whole number", "is not a known unit", "is negative",
                     "is not a known category", "is too large", "is not a known label", "is not a status"):
        assert expected in text, expected
    rows = [cells[0] for cells in _table_rows(text)]
    assert set(rows) == {"4", "5"}
    assert [(p.name, p.price, p.stock) for p in products_of(session, english_seller)] == [("Lama", 5_000, 1)]


def _table_rows(html: str) -> list[list[str]]:
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in body.split("<tr>")[1:]]


def test_rows_are_numbered_as_in_the_spreadsheet_skipping_empty_lines(en_client, english_seller):
    data = b"nama;harga;stok\nA;1000;1\n;;\nB;xyz;1\n"

    rows = _table_rows(page(send(en_client, data)))

    assert [cells[0] for cells in rows] == ["4"] and rows[0][1] == "harga"


def test_update_by_code_changes_only_my_product(en_client, english_seller, session, organic):
    product = factories.make_product(session, seller=english_seller, name="Tas", price=70_000, stock=3)
    slug = product.slug

    response = send(en_client, f"kode;nama;harga;stok;tag\n{slug};Tas Anyaman;72.500;6;Organic\n".encode())

    assert response.status_code == 303
    (updated,) = products_of(session, english_seller)
    assert (updated.id, updated.slug, updated.name, updated.price, updated.stock) == (product.id, slug, "Tas Anyaman",
                                                                                       72_500, 6)
    assert [t.slug for t in updated.tags] == ["organik"]
    assert updated.status == ProductStatus.PUBLISHED  # empty status column: unchanged


def test_the_same_code_twice_and_unknown_codes_are_refused(en_client, english_seller, session):
    product = factories.make_product(session, seller=english_seller)
    data = f"kode;nama;harga;stok\n{product.slug};A;1;1\n{product.slug};B;1;1\ntidak-ada;C;1;1\n".encode()

    text = page(send(en_client, data))

    assert "appears in more than one row" in text and "None of your products has the code" in text
    assert products_of(session, english_seller)[0].name == "Tas Anyaman Plastik"


def test_a_producer_not_approved_cannot_import(app, session):
    profile = factories.make_seller(session, status=SellerStatus.PENDING)
    client = app.test_client()
    login(client, profile.user)
    assert send(client, GOOD.encode()).status_code == 403
    assert client.get(TEMPLATE).status_code == 403


def test_the_service_refuses_published_rows_for_a_suspended_shop(session):
    profile = factories.make_seller(session, status=SellerStatus.SUSPENDED)

    with pytest.raises(product_import.ImportRefused) as refused:
        product_import.import_products(session, profile, b"nama;harga;stok;status\nTas;1000;1;published\n")

    assert [p.code for p in refused.value.problems] == ["seller_not_approved"]


# ---- limits ---------------------------------------------------------------------------------

def test_too_many_rows_are_refused(en_client, english_seller, session, monkeypatch):
    monkeypatch.setattr(product_import, "MAX_ROWS", 3)
    data = "nama;harga;stok\n" + "".join(f"Produk {i};1000;1\n" for i in range(4))

    response = send(en_client, data.encode())

    assert response.status_code == 400 and "more than 3 products" in page(response)
    assert products_of(session, english_seller) == []


def test_too_large_files_are_refused(en_client, english_seller, session, monkeypatch):
    monkeypatch.setattr(product_import, "MAX_BYTES", 100)
    data = "nama;harga;stok\n" + "".join(f"Produk {i};1000;1\n" for i in range(10))

    response = send(en_client, data.encode())

    assert response.status_code == 400 and "larger than" in page(response)
    assert products_of(session, english_seller) == []


def test_a_thousand_rows_import_in_one_go(seller_client, seller, session):
    data = "nama;harga;stok\n" + "".join(f"Produk {i};{1000 + i};{i}\n" for i in range(product_import.MAX_ROWS))

    assert send(seller_client, data.encode()).status_code == 303
    products = products_of(session, seller)
    assert len(products) == 1000 and len({p.slug for p in products}) == 1000


def test_no_file_chosen(en_client):
    response = en_client.post(IMPORT, data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Please choose a CSV file" in page(response)


# ---- the template ---------------------------------------------------------------------------

def test_template_is_excel_friendly_and_round_trips(seller_client, seller, session, food, organic):
    product = factories.make_product(session, seller=seller, name="=HYPERLINK(1)", category=food, tags=[organic],
                                     price=12_000, stock=4)
    factories.make_product(session, seller=seller, name="Lama", status=ProductStatus.ARCHIVED)

    response = seller_client.get(TEMPLATE)
    body = response.data

    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(product_import.COLUMNS)
    assert rows[1] == [product.slug, "'=HYPERLINK(1)", "makanan", "12000", "pcs", "4", "300",
                       "'=HYPERLINK(1) buatan tangan.", "organik", "published"]
    assert len(rows) == 2  # the archived product is left out

    edited = body.decode("utf-8-sig").replace(";4;300;", ";9;300;")
    assert send(seller_client, edited.encode("utf-8-sig")).status_code == 303
    session.expire_all()
    product = session.get(Product, product.id)
    assert (product.name, product.stock, product.price) == ("=HYPERLINK(1)", 9, 12_000)
    assert session.query(Product).count() == 2
