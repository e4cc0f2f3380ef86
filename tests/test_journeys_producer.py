"""Journey in a real browser, at a 360x640 phone screen: a producer signs up and goes through the
whole shop registration, an officer approves them, the producer adds a product with a photo from
the phone and publishes it, and an anonymous visitor finds it in the catalogue with its photo.

Only the data a person could not make in these pages (the officer's account, the programme's
training, a category) comes from factories; everything else is clicks, typing and choosing files,
in Indonesian (the site's default language), with CSRF protection on as in production.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from marketplace.models import Product, ProductStatus, SellerProfile, SellerStatus
from tests import factories
from tests.browser import loaded_width, log_in, open_menu_link, screenshot

pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
from playwright.sync_api import expect  # noqa: E402

SHOP = "Anyaman Bu Lestari"
PRODUCT = "Tas Anyaman Pandan"


def test_producer_registers_is_approved_and_publishes_a_product_with_a_photo(
        live_server, phone, axe, session, tmp_path):
    cohort = factories.make_training(session, slug="kerajinan-daur-ulang", name_id="Kerajinan daur ulang",
                                     name_en="Recycled crafts", cohort_name="Angkatan Maret 2025",
                                     start=date(2025, 3, 3), end=date(2025, 3, 14))
    factories.make_category(session, name_id="Tas dan dompet", name_en="Bags and purses")
    officer = factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Dinas",
                                  email="petugas@dinas.example.id")
    officer_email, cohort_id = officer.email, cohort.id
    session.rollback()  # end the test's read transaction: the server's threads write from here on
    photo = tmp_path / "tas-pandan.jpg"
    photo.write_bytes(factories.photo_bytes(1200, 900))

    # ---- the producer: an account first, from the "Sell here" page --------------------------
    producer = phone()
    producer.goto(live_server + "/")
    axe.check(producer)
    screenshot(producer, "producer-01-home")
    open_menu_link(producer, "Jual di sini")
    expect(producer.get_by_role("heading", level=1)).to_have_text("Buka toko Anda")
    axe.check(producer)
    producer.get_by_role("link", name="Buat akun").click()

    expect(producer.get_by_role("heading", level=1)).to_have_text("Buat akun")
    axe.check(producer)
    producer.get_by_label("Nama lengkap").fill("Lestari Wulandari")
    producer.get_by_label("Email", exact=True).fill("lestari@example.id")
    producer.get_by_label("Nomor WhatsApp / telepon (tidak wajib)").fill("0812-3456-7001")
    producer.get_by_label("Kata sandi", exact=True).fill("anyaman2026")
    producer.get_by_label("Ulangi kata sandi").fill("anyaman2026")
    screenshot(producer, "producer-02-register")
    producer.get_by_role("button", name="Daftar").click()

    # Registration leads straight back to the shop registration's first page.
    expect(producer.locator(".flashes")).to_contain_text("Akun Anda sudah siap. Selamat datang, Lestari Wulandari!")
    expect(producer.get_by_role("heading", level=1)).to_have_text("Buka toko Anda")
    axe.check(producer)
    producer.get_by_role("link", name="Mulai").click()

    # Step 1: the shop.
    expect(producer.get_by_role("heading", level=2)).to_have_text("Toko Anda")
    axe.check(producer)
    producer.get_by_label("Nama toko").fill(SHOP)
    producer.get_by_label("Apa yang Anda buat?").fill("Tas dan tikar anyaman pandan")
    producer.get_by_label("Cerita Anda").fill("Saya menganyam pandan sejak 2010 bersama ibu-ibu di desa.")
    screenshot(producer, "producer-03-onboarding-shop")
    producer.get_by_role("button", name="Simpan dan lanjut").click()

    # Step 2: the location, from the list of kecamatan of Kabupaten and Kota Blitar.
    expect(producer.get_by_role("heading", level=2)).to_have_text("Lokasi")
    axe.check(producer)
    kecamatan = producer.get_by_label("Kecamatan")
    expect(kecamatan.locator("optgroup")).to_have_count(2)
    kecamatan.select_option(label="Kanigoro")
    producer.get_by_label("Desa / kelurahan").fill("Sawentar")
    producer.get_by_label("Alamat jalan (tidak wajib)").fill("Jl. Anggrek 7, RT 02/RW 01")
    screenshot(producer, "producer-04-onboarding-location")
    producer.get_by_role("button", name="Simpan dan lanjut").click()

    # Step 3: WhatsApp, prefilled from the account's phone number.
    expect(producer.get_by_role("heading", level=2)).to_have_text("Kontak")
    axe.check(producer)
    expect(producer.get_by_label("Nomor WhatsApp")).to_have_value("+6281234567001")
    producer.get_by_role("button", name="Simpan dan lanjut").click()

    # Step 4: the programme: the training she completed, and when.
    expect(producer.get_by_role("heading", level=2)).to_have_text("Program")
    axe.check(producer)
    producer.get_by_label("Ya, saya sudah menyelesaikan satu pelatihan atau lebih").check()
    producer.get_by_role("checkbox", name=re.compile("Angkatan Maret 2025")).check()
    producer.get_by_label("Tanggal Anda menyelesaikan Angkatan Maret 2025").fill("2025-03-14")
    producer.get_by_label("Nama kelompok Anda (tidak wajib)").fill("KUB Pandan Sawentar")
    screenshot(producer, "producer-05-onboarding-programme")
    producer.get_by_role("button", name="Simpan dan lanjut").click()

    # Step 5: papers (optional): her NIB.
    expect(producer.get_by_role("heading", level=2)).to_have_text("Surat-surat")
    axe.check(producer)
    producer.get_by_label("NIB (Nomor Induk Berusaha)").fill("1234567890123")
    producer.get_by_role("button", name="Simpan dan lanjut").click()

    # Step 6: consent to the use of her sales data.
    expect(producer.get_by_role("heading", level=2)).to_have_text("Penggunaan data")
    axe.check(producer)
    producer.get_by_label("Saya setuju program boleh memakai data penjualan saya seperti dijelaskan di atas.").check()
    producer.get_by_role("button", name="Simpan dan lanjut").click()

    # Step 7: check everything and send.
    expect(producer.get_by_role("heading", level=2)).to_have_text("Periksa dan kirim")
    axe.check(producer)
    review = producer.locator("dl.review-list")
    for text in (SHOP, "Kanigoro", "Sawentar", "+6281234567001", "Angkatan Maret 2025", "1234567890123"):
        expect(review).to_contain_text(text)
    screenshot(producer, "producer-06-onboarding-review")
    producer.get_by_role("button", name="Kirim untuk disetujui").click()

    expect(producer.locator(".flashes")).to_contain_text(
        "Terima kasih! Toko Anda sudah dikirim ke petugas program untuk disetujui.")
    expect(producer.locator(".seller-status")).to_contain_text("Menunggu persetujuan")
    axe.check(producer)
    screenshot(producer, "producer-07-waiting-for-approval")
    expect(producer.get_by_role("link", name="Tambah produk")).to_have_count(0)

    # ---- the officer approves, from the approval queue -------------------------------------
    officer_page = phone()
    log_in(officer_page, live_server, officer_email, axe)
    axe.check(officer_page)
    open_menu_link(officer_page, "Program")
    axe.check(officer_page)
    officer_page.get_by_role("link", name="Antrean persetujuan").click()
    expect(officer_page.get_by_role("heading", level=1)).to_have_text("Antrean persetujuan")
    entry = officer_page.locator(".admin-list > li").filter(has_text=SHOP)
    expect(entry).to_contain_text("KUB Pandan Sawentar")
    axe.check(officer_page)
    screenshot(officer_page, "officer-01-approval-queue")
    entry.get_by_role("link", name="Periksa dan putuskan").click()
    expect(officer_page.get_by_role("heading", level=1)).to_contain_text(SHOP)
    axe.check(officer_page)
    screenshot(officer_page, "officer-02-producer")
    officer_page.get_by_role("button", name="Setujui", exact=True).click()
    expect(officer_page.locator(".flashes")).to_contain_text("Penjual sudah disetujui dan sekarang bisa berjualan.")
    expect(officer_page.get_by_text("Tidak ada yang menunggu persetujuan.")).to_be_visible()

    # ---- the producer adds a product, with a photo from her phone, and publishes it ---------
    producer.reload()
    expect(producer.locator(".seller-status")).to_contain_text("Toko Anda buka untuk pembeli.")
    axe.check(producer)
    screenshot(producer, "producer-08-approved-dashboard")
    producer.get_by_role("link", name="Tambah produk").click()
    expect(producer.get_by_role("heading", level=1)).to_have_text("Tambah produk")
    axe.check(producer)
    producer.get_by_label("Nama produk").fill(PRODUCT)
    producer.get_by_label("Kategori").select_option(label="Tas dan dompet")
    producer.get_by_label("Harga (Rp)").fill("85.000")
    producer.get_by_label("Stok", exact=True).fill("12")
    producer.get_by_label("Berat dalam gram (dengan kemasan)").fill("400")
    producer.get_by_label("Deskripsi").fill("Tas jinjing dari daun pandan, dianyam tangan. Ukuran 35 x 30 cm.")
    screenshot(producer, "producer-09-new-product")
    producer.get_by_role("button", name="Simpan", exact=True).click()

    expect(producer.locator(".flashes")).to_contain_text("Produk disimpan. Sekarang tambahkan foto")
    axe.check(producer)
    producer.get_by_label("Tambah foto").set_input_files(str(photo))
    producer.get_by_role("button", name="Unggah").click()
    expect(producer.locator(".flashes")).to_contain_text("1 foto ditambahkan.")
    cover = producer.locator(".photo-list img").first
    assert loaded_width(cover) > 0
    axe.check(producer)
    screenshot(producer, "producer-10-photos")

    producer.get_by_role("link", name="Ubah produknya").click()
    expect(producer.get_by_role("heading", level=1)).to_have_text(f"Ubah: {PRODUCT}")
    axe.check(producer)
    producer.get_by_label("Tayang (pembeli bisa melihat)").check()
    producer.get_by_role("button", name="Simpan", exact=True).click()
    expect(producer.locator(".flashes")).to_contain_text("Perubahan Anda sudah disimpan.")
    row = producer.locator(".product-row").filter(has_text=PRODUCT)
    expect(row.locator(".badge").first).to_have_text("Tayang")
    axe.check(producer)
    screenshot(producer, "producer-11-my-products")

    # ---- an anonymous visitor sees it in the catalogue, photo and all -------------------------
    visitor = phone()
    visitor.goto(live_server + "/")
    expect(visitor.locator(".product-card").filter(has_text=PRODUCT)).to_be_visible()
    visitor.get_by_role("link", name="Lihat semua produk").click()
    expect(visitor).to_have_url(re.compile(r"/produk\?"))
    axe.check(visitor)
    card = visitor.locator(".product-card").filter(has_text=PRODUCT)
    expect(card).to_contain_text("Rp 85.000")
    expect(card).to_contain_text(SHOP)
    assert loaded_width(card.locator("img")) > 0
    screenshot(visitor, "visitor-01-catalogue")
    card.get_by_role("link").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    gallery_image = visitor.get_by_role("img", name=f"{PRODUCT}, foto 1 dari 1")
    assert loaded_width(gallery_image) > 0
    expect(visitor.locator(".producer-box")).to_contain_text(SHOP)
    axe.check(visitor)
    screenshot(visitor, "visitor-02-product")

    axe.assert_clean()

    # What the pages said is what the database holds.
    session.expire_all()
    profile = session.query(SellerProfile).filter_by(shop_name=SHOP).one()
    assert profile.status == SellerStatus.APPROVED
    assert (profile.kecamatan_code, profile.desa, profile.whatsapp) == ("35.05.10", "Sawentar", "+6281234567001")
    assert [link.cohort_id for link in profile.cohorts] == [cohort_id]
    product = session.query(Product).filter_by(seller_id=profile.id).one()
    assert (product.status, product.price, product.stock, len(product.images)) == (
        ProductStatus.PUBLISHED, 85_000, 12, 1)
    session.rollback()
