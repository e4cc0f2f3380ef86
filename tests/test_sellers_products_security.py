"""A producer reaches only their own products: every product route with another producer's
product (or photo) id answers 404, shows none of its data and changes nothing."""
from __future__ import annotations

import io

import pytest

from marketplace.models import Product, ProductStatus
from tests import factories


@pytest.fixture
def theirs(session, other_seller):
    product = factories.make_product(session, seller=other_seller, name="Rahasia Garum", price=43_210, stock=7)
    factories.add_product_image(session, product)
    return product


def _photo(product) -> int:
    return product.images[0].id


ROUTES = [
    ("GET", "/penjual/produk/{id}/ubah", None),
    ("POST", "/penjual/produk/{id}/ubah", {"name": "Dicuri", "price": "1", "stock": "0", "unit": "pcs",
                                           "status": "draft", "stock_seen": "7"}),
    ("POST", "/penjual/produk/{id}/cepat", {"p{id}-price": "1", "p{id}-stock": "0", "p{id}-stock_seen": "7"}),
    ("GET", "/penjual/produk/{id}/salin", None),
    ("POST", "/penjual/produk/{id}/salin", {"with_photos": "y"}),
    ("POST", "/penjual/produk/{id}/arsip", {"action": "archive"}),
    ("GET", "/penjual/produk/{id}/foto", None),
    ("POST", "/penjual/produk/{id}/foto", "upload"),
    ("POST", "/penjual/produk/{id}/foto/{photo}", {"action": "delete"}),
    ("POST", "/penjual/produk/{id}/foto/{photo}", {"action": "up"}),
]


@pytest.mark.parametrize("method, pattern, data", ROUTES)
def test_another_producers_product_is_404_and_untouched(seller_client, session, theirs, method, pattern, data):
    ids = {"id": theirs.id, "photo": _photo(theirs)}
    url = pattern.format(**ids)
    if method == "GET":
        response = seller_client.get(url)
    elif data == "upload":
        response = seller_client.post(url, data={"photos": [(io.BytesIO(factories.image_bytes()), "a.jpg")]},
                                      content_type="multipart/form-data")
    else:
        response = seller_client.post(url, data={k.format(**ids): v for k, v in data.items()})

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Rahasia Garum" not in page and "43.210" not in page
    session.expire_all()
    product = session.get(Product, theirs.id)
    assert (product.name, product.price, product.stock, product.status) == ("Rahasia Garum", 43_210, 7,
                                                                            ProductStatus.PUBLISHED)
    assert len(product.images) == 1
    assert session.query(Product).count() == 1


def test_my_photo_id_with_their_product_and_their_photo_with_mine(seller_client, seller, session, theirs):
    mine = factories.make_product(session, seller=seller)
    factories.add_product_image(session, mine)

    assert seller_client.post(f"/penjual/produk/{theirs.id}/foto/{_photo(mine)}",
                              data={"action": "delete"}).status_code == 404
    assert seller_client.post(f"/penjual/produk/{mine.id}/foto/{_photo(theirs)}",
                              data={"action": "delete"}).status_code == 404
    session.expire_all()
    assert len(session.get(Product, mine.id).images) == 1 and len(session.get(Product, theirs.id).images) == 1


def test_the_import_cannot_update_another_producers_product(seller_client, session, theirs):
    csv = f"kode;nama;harga;stok\n{theirs.slug};Dicuri;1;0\n".encode()

    response = seller_client.post("/penjual/produk/impor", data={"csv_file": (io.BytesIO(csv), "p.csv")},
                                  content_type="multipart/form-data")

    assert response.status_code == 400
    assert "Rahasia Garum" not in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Product, theirs.id).name == "Rahasia Garum"


def test_the_template_and_list_hold_only_my_products(seller_client, seller, session, theirs):
    factories.make_product(session, seller=seller, name="Milik Saya")

    csv = seller_client.get("/penjual/produk/impor/template.csv").get_data(as_text=True)
    page = seller_client.get("/penjual/produk").get_data(as_text=True)

    assert "Milik Saya" in csv and "Rahasia Garum" not in csv and theirs.slug not in csv
    assert "Milik Saya" in page and "Rahasia Garum" not in page
