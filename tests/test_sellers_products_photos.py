"""Product photos: upload several from a phone, at most eight, refuse non-pictures, reorder, delete."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from marketplace.models import Image, Product, ProductImage
from marketplace.services import products as product_service
from tests import factories
from tests.conftest import login


@pytest.fixture
def english_seller(session):
    return factories.make_seller(session, user=factories.make_user(session, language="en"))


@pytest.fixture
def en_client(app, english_seller):
    client = app.test_client()
    login(client, english_seller.user)
    return client


@pytest.fixture
def product(session, english_seller):
    return factories.make_product(session, seller=english_seller)


def photos_url(product):
    return f"/penjual/produk/{product.id}/foto"


def upload(client, product, *files):
    return client.post(photos_url(product), data={"photos": [(io.BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data")


def photo_ids(session, product) -> list[int]:
    session.expire_all()
    return [link.id for link in session.get(Product, product.id).images]


def test_upload_several_photos_at_once_first_is_the_cover(en_client, session, product):
    response = upload(en_client, product, ("a.jpg", factories.photo_bytes(800, 600)),
                      ("b.png", factories.image_bytes(500, 500, fmt="PNG", color=(0, 90, 200))))

    assert response.status_code == 303
    session.expire_all()
    product = session.get(Product, product.id)
    assert [link.position for link in product.images] == [0, 1]
    assert product.cover.width == 800
    page = en_client.get(photos_url(product)).get_data(as_text=True)
    assert "Cover" in page and 'type="file"' in page and "multiple" in page and 'accept="image/' in page


def test_at_most_eight_photos(en_client, session, product):
    for i in range(6):
        factories.add_product_image(session, product, color=(i * 30, 10, 10))

    too_many = upload(en_client, product, *[(f"{i}.jpg", factories.image_bytes(color=(9, i * 40, 9)))
                                           for i in range(3)])
    enough = upload(en_client, product, *[(f"{i}.jpg", factories.image_bytes(color=(9, i * 40, 9)))
                                         for i in range(2)])
    full = upload(en_client, product, ("x.jpg", factories.image_bytes()))

    assert too_many.status_code == 400 and "at most 8 photos" in too_many.get_data(as_text=True)
    assert "You can add 2 more" in too_many.get_data(as_text=True)
    assert enough.status_code == 303
    assert full.status_code == 400
    assert len(photo_ids(session, product)) == 8


def test_the_service_counts_photos_again_inside_its_transaction(session, product):
    for i in range(8):
        factories.add_product_image(session, product, color=(i * 30, 10, 10))
    extra = session.scalars(select(Image)).first()

    with pytest.raises(product_service.ProductError) as refused:
        product_service.add_photos(session, product, [extra])

    assert refused.value.errors == {"photos": "too_many"}
    session.rollback()
    assert len(photo_ids(session, product)) == 8


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"hello, this is not a picture", "not a photo"),
    ("anim.gif", b"GIF89a" + b"\x00" * 64, "not accepted"),
    ("empty.jpg", b"", "Please choose a photo"),
    ("cut.jpg", factories.image_bytes()[:300], "damaged"),
])
def test_non_pictures_are_refused_and_nothing_is_saved(en_client, session, product, name, data, message):
    good = ("good.jpg", factories.image_bytes())

    response = upload(en_client, product, good, (name, data))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert photo_ids(session, product) == []
    assert session.scalar(select(func.count(Image.id))) == 0


def test_a_post_without_files_gets_a_clear_message(en_client, product):
    response = en_client.post(photos_url(product), data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Please choose a photo" in response.get_data(as_text=True)


def test_move_up_makes_a_photo_the_cover_and_down_moves_it_back(en_client, session, product):
    for i in range(3):
        factories.add_product_image(session, product, color=(i * 80, 10, 10))
    first, second, third = photo_ids(session, product)

    up = en_client.post(f"{photos_url(product)}/{second}", data={"action": "up"})
    after_up = photo_ids(session, product)
    en_client.post(f"{photos_url(product)}/{second}", data={"action": "down"})
    en_client.post(f"{photos_url(product)}/{third}", data={"action": "down"})  # already last: no change

    assert up.status_code == 303 and up.headers["Location"].endswith(photos_url(product) + "#photos")
    assert after_up == [second, first, third]
    assert photo_ids(session, product) == [first, second, third]
    positions = session.scalars(select(ProductImage.position).where(ProductImage.product_id == product.id)
                                .order_by(ProductImage.position))
    assert list(positions) == [0, 1, 2]


def test_delete_removes_one_photo_and_renumbers(en_client, session, product):
    for i in range(3):
        factories.add_product_image(session, product, color=(i * 80, 10, 10))
    first, second, third = photo_ids(session, product)

    response = en_client.post(f"{photos_url(product)}/{first}", data={"action": "delete"})

    assert response.status_code == 303
    assert photo_ids(session, product) == [second, third]
    assert [link.position for link in session.get(Product, product.id).images] == [0, 1]


def test_deleting_a_photo_of_a_copy_keeps_the_originals(en_client, session, product):
    factories.add_product_image(session, product)
    copy = product_service.duplicate_product(session, product, with_photos=True)

    en_client.post(f"{photos_url(copy)}/{photo_ids(session, copy)[0]}", data={"action": "delete"})

    assert photo_ids(session, copy) == [] and len(photo_ids(session, product)) == 1


def test_unknown_photo_ids_and_actions(en_client, session, product):
    factories.add_product_image(session, product)
    (photo,) = photo_ids(session, product)

    assert en_client.post(f"{photos_url(product)}/999999", data={"action": "delete"}).status_code == 404
    assert en_client.post(f"{photos_url(product)}/{photo}", data={"action": "rotate"}).status_code == 400
    assert photo_ids(session, product) == [photo]
