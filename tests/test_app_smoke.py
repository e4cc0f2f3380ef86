"""The app starts, serves the home page in Indonesian and shows published products."""
from marketplace.models import ProductStatus, SellerStatus
from tests import factories


def test_home_page_lists_published_products_of_approved_producers(client, session):
    approved = factories.make_seller(session, shop_name="Batik Bu Tini")
    suspended = factories.make_seller(session, shop_name="Toko Ditangguhkan", status=SellerStatus.SUSPENDED)
    factories.make_product(session, seller=approved, name="Tas Anyaman Plastik")
    factories.make_product(session, seller=approved, name="Draf Rahasia", status=ProductStatus.DRAFT)
    factories.make_product(session, seller=suspended, name="Produk Tersembunyi")

    response = client.get("/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Tas Anyaman Plastik" in page
    assert "Batik Bu Tini" in page
    assert "Draf Rahasia" not in page
    assert "Produk Tersembunyi" not in page
    assert "Toko Ditangguhkan" not in page
