"""Demo data: a believable Blitar market for `flask seed-demo`.

Everything is generated from `random.Random(seed)`, so the same seed (and the same `now`)
gives the same market. Product and profile pictures are drawn with Pillow and go through
the real photo pipeline (`process_image` + `store_image`), so they have WebP renditions.
The whole market is added in one transaction, committed once; then about 120 orders of the
last 14 months are placed and moved through the real order services (see "orders" below).
The only things that differ between runs are what the services draw with `secrets`: order
access tokens and the 1-999 unique codes of transfer totals.
"""
from __future__ import annotations

import io
import math
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace.formatting import normalise_phone
from marketplace.models import (
    AuditLog, Category, Cohort, DeliveryMethod, DeliverySettings, Image, LedgerEntry, Order, OrderEvent, PartStatus,
    PaymentMethod, Product, ProductImage, ProductStatus, Role, SellerCohort, SellerOrder, SellerProfile,
    SellerStatus, Tag, TrainingType, User,
)
from marketplace.regions import KECAMATAN
from marketplace.services import checkout, orders, payments, reviews
from marketplace.services.accounts import hash_password
from marketplace.services.order_states import BUYER, OFFICER, SELLER, SYSTEM
from marketplace.services.images import process_image, store_image
from marketplace.services.storage import Storage

DEFAULT_SEED = 2026
DEMO_PRODUCT_COUNT = 200
DEMO_ORDER_COUNT = 120
DEMO_EMAIL_DOMAIN = "pasarlokalblitar.id"


class DemoDataError(RuntimeError):
    """The demo market cannot be loaded; `code` says why (`not_empty`)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ---- logins --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    can: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("Buyer (pembeli)", f"pembeli@{DEMO_EMAIL_DOMAIN}", "pembeli2026", "shop, check out, see own orders"),
    DemoLogin("Producer (penjual)", f"penjual@{DEMO_EMAIL_DOMAIN}", "penjual2026",
              "an approved shop: products, orders, sales"),
    DemoLogin("Officer (petugas)", f"petugas@{DEMO_EMAIL_DOMAIN}", "petugas2026",
              "approve producers, moderate, indicators"),
    DemoLogin("Admin", f"admin@{DEMO_EMAIL_DOMAIN}", "admin2026", "everything an officer can, plus officers"),
)
# Every other demo producer logs in with its shop e-mail (see the seller list) and this password.
PRODUCER_PASSWORD = "penjual2026"


def format_demo_logins(base_url: str = "http://127.0.0.1:5000") -> str:
    """The demo logins as a Markdown table, as printed by `flask demo-logins` and shown in README.md."""
    lines = [
        f"Demo logins (log in at {base_url}/akun/masuk):",
        "",
        "| Role | E-mail | Password | What to try |",
        "|---|---|---|---|",
    ]
    lines += [f"| {d.role} | {d.email} | {d.password} | {d.can} |" for d in DEMO_LOGINS]
    lines += ["", f"Every other demo producer: <shop-slug>@demo.{DEMO_EMAIL_DOMAIN}, password {PRODUCER_PASSWORD}."]
    return "\n".join(lines)


# ---- reference data: training, categories, tags -------------------------------------------------

TRAINING_TYPES = (
    # slug, name_id, name_en
    ("menjahit", "Menjahit", "Sewing"),
    ("kerajinan-daur-ulang", "Kerajinan daur ulang", "Crafts from recycled materials"),
    ("pertanian-organik", "Pertanian organik", "Organic farming"),
    ("olahan-pangan", "Olahan pangan", "Food processing"),
    ("lainnya", "Lainnya", "Other"),
)

COHORTS = (
    # training slug, name, place, start, end
    ("menjahit", "Menjahit Angkatan I 2024", "Balai Desa Sawentar, Kanigoro", date(2024, 3, 4), date(2024, 3, 22)),
    ("menjahit", "Menjahit Angkatan II 2025", "Pendopo Kecamatan Wlingi", date(2025, 2, 10), date(2025, 2, 28)),
    ("menjahit", "Menjahit Busana Muslim 2026", "Gedung PKK Kota Blitar, Sananwetan", date(2026, 1, 12),
     date(2026, 1, 30)),
    ("kerajinan-daur-ulang", "Daur Ulang Plastik Angkatan I 2024", "Balai Desa Jeblog, Talun", date(2024, 5, 6),
     date(2024, 5, 17)),
    ("kerajinan-daur-ulang", "Kriya Koran & Kain Perca 2025", "Aula Kecamatan Srengat", date(2025, 4, 14),
     date(2025, 4, 25)),
    ("kerajinan-daur-ulang", "Daur Ulang Plastik Angkatan II 2026", "Balai Desa Penataran, Nglegok",
     date(2026, 3, 2), date(2026, 3, 13)),
    ("pertanian-organik", "Sekolah Lapang Organik Angkatan I 2024", "Kebun Percontohan Ponggok",
     date(2024, 7, 1), date(2024, 8, 30)),
    ("pertanian-organik", "Sekolah Lapang Organik Angkatan II 2025", "Balai Penyuluhan Pertanian Binangun",
     date(2025, 6, 2), date(2025, 7, 31)),
    ("pertanian-organik", "Padi Organik Mentik Wangi 2026", "Balai Desa Sumberkembar, Binangun",
     date(2026, 4, 6), date(2026, 5, 29)),
    ("olahan-pangan", "Olahan Pangan Angkatan I 2024", "Balai Desa Karangtengah, Sananwetan",
     date(2024, 9, 9), date(2024, 9, 20)),
    ("olahan-pangan", "Olahan Pangan & P-IRT 2025", "Aula Kecamatan Kanigoro", date(2025, 8, 4),
     date(2025, 8, 15)),
    ("olahan-pangan", "Olahan Pangan Angkatan III 2026", "Balai Desa Serang, Panggungrejo", date(2026, 7, 6),
     date(2026, 7, 17)),
    ("lainnya", "Pemasaran Digital UMKM 2025", "Perpustakaan Proklamator Bung Karno, Sananwetan",
     date(2025, 10, 6), date(2025, 10, 10)),
    ("lainnya", "Kemasan & Label Produk 2026", "Aula Kecamatan Wlingi", date(2026, 8, 10), date(2026, 8, 14)),
)

CATEGORIES = (
    # slug, name_id, name_en, parent slug
    ("kerajinan", "Kerajinan", "Crafts", None),
    ("kerajinan-daur-ulang", "Kerajinan Daur Ulang", "Upcycled Crafts", "kerajinan"),
    ("anyaman", "Anyaman", "Woven Goods", "kerajinan"),
    ("pakaian-batik", "Pakaian & Batik", "Clothing & Batik", None),
    ("batik", "Kain & Kemeja Batik", "Batik Cloth & Shirts", "pakaian-batik"),
    ("busana", "Busana Jahitan", "Tailored Clothing", "pakaian-batik"),
    ("tas-aksesori-kain", "Tas & Aksesori Kain", "Fabric Bags & Accessories", "pakaian-batik"),
    ("sayur-buah-organik", "Sayur & Buah Organik", "Organic Vegetables & Fruit", None),
    ("sayur-organik", "Sayur Organik", "Organic Vegetables", "sayur-buah-organik"),
    ("buah-organik", "Buah Organik", "Organic Fruit", "sayur-buah-organik"),
    ("beras-biji-bijian", "Beras & Biji-bijian", "Rice & Grains", None),
    ("makanan-olahan", "Makanan Olahan", "Processed Food", None),
    ("keripik-camilan", "Keripik & Camilan", "Chips & Snacks", "makanan-olahan"),
    ("sambal-bumbu", "Sambal & Bumbu", "Sambal & Spices", "makanan-olahan"),
    ("kue-jajanan", "Kue & Jajanan", "Cakes & Traditional Sweets", "makanan-olahan"),
    ("madu-gula", "Madu & Gula Aren", "Honey & Palm Sugar", "makanan-olahan"),
    ("minuman", "Minuman", "Drinks", None),
    ("kopi", "Kopi", "Coffee", "minuman"),
    ("jamu-herbal", "Jamu & Minuman Herbal", "Jamu & Herbal Drinks", "minuman"),
)

TAGS = (
    ("organik", "Organik", "Organic"),
    ("daur-ulang", "Daur ulang", "Recycled"),
    ("buatan-tangan", "Buatan tangan", "Handmade"),
)


# ---- product templates ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ProductTemplate:
    name: str
    category: str
    unit: str
    price: tuple[int, int]
    weight_grams: int
    tags: tuple[str, ...]
    motif: str
    description: str
    variants: tuple[str, ...] = ("",)


_HAND = ("buatan-tangan",)
_RECYCLED = ("daur-ulang", "buatan-tangan")
_ORGANIC = ("organik",)

PRODUCT_TEMPLATES: dict[str, tuple[ProductTemplate, ...]] = {
    "craft": (
        ProductTemplate("Tas Belanja Anyaman Plastik", "kerajinan-daur-ulang", "pcs", (65_000, 95_000), 350, _RECYCLED,
                        "bag", "Tas belanja dari anyaman plastik kemasan bekas, kuat untuk belanja ke pasar.",
                        ("Motif Pelangi", "Motif Kotak", "Ukuran Besar", "Ukuran Sedang")),
        ProductTemplate("Dompet Bungkus Kopi", "kerajinan-daur-ulang", "pcs", (20_000, 35_000), 80, _RECYCLED,
                        "wallet", "Dompet kecil dari bungkus kopi sachet yang dicuci dan dianyam rapi, ada resletingnya.",
                        ("Kecil", "Panjang", "Motif Merah")),
        ProductTemplate("Keranjang Anyaman Koran", "anyaman", "pcs", (35_000, 60_000), 250, _RECYCLED, "basket",
                        "Keranjang serbaguna dari gulungan koran bekas, dipernis agar tahan air.",
                        ("Bulat", "Kotak", "Set 3 Ukuran")),
        ProductTemplate("Pot Bunga Ban Bekas", "kerajinan-daur-ulang", "pcs", (45_000, 85_000), 1_500, _RECYCLED,
                        "pot", "Pot tanaman dari ban bekas yang dipotong dan dicat warna cerah, cocok untuk teras.",
                        ("Model Angsa", "Model Cangkir", "Warna Hijau")),
        ProductTemplate("Tempat Tisu Anyaman", "anyaman", "pcs", (30_000, 45_000), 200, _RECYCLED, "box",
                        "Tempat tisu dari anyaman koran dan plastik, rapi untuk meja tamu.",
                        ("Cokelat", "Putih Gading")),
        ProductTemplate("Bunga Hias Botol Plastik", "kerajinan-daur-ulang", "set", (25_000, 50_000), 150, _RECYCLED,
                        "flower", "Rangkaian bunga hias dari botol plastik bekas, tidak layu dan mudah dibersihkan.",
                        ("Mawar", "Anggrek", "Matahari")),
        ProductTemplate("Lampu Hias Botol Kaca", "kerajinan-daur-ulang", "pcs", (75_000, 125_000), 800, _RECYCLED,
                        "lamp", "Lampu tidur dari botol kaca bekas dengan lampu LED hangat.", ("Bening", "Hijau")),
        ProductTemplate("Celengan Kaleng Bekas", "kerajinan-daur-ulang", "pcs", (15_000, 25_000), 150, _RECYCLED,
                        "box", "Celengan dari kaleng bekas yang dilapis kain perca, hadiah kecil untuk anak.",
                        ("Motif Bunga", "Motif Hewan")),
        ProductTemplate("Tatakan Gelas Kain Perca", "kerajinan-daur-ulang", "set", (20_000, 35_000), 100, _RECYCLED,
                        "cloth", "Enam tatakan gelas dari sisa kain perca yang dijahit tangan.", ("Isi 6",)),
        ProductTemplate("Tas Laptop Banner Bekas", "kerajinan-daur-ulang", "pcs", (90_000, 150_000), 450, _RECYCLED,
                        "bag", "Tas laptop 14 inci dari banner bekas yang tebal dan tahan hujan.", ("", "Dengan Tali Bahu")),
    ),
    "sewing": (
        ProductTemplate("Kemeja Batik Cap Motif Penataran", "batik", "pcs", (125_000, 185_000), 300, _HAND, "shirt",
                        "Kemeja batik cap katun primisima, lengan pendek, motif terinspirasi Candi Penataran.",
                        ("Ukuran M", "Ukuran L", "Ukuran XL")),
        ProductTemplate("Kain Batik Tulis", "batik", "lembar", (250_000, 450_000), 300, _HAND, "cloth",
                        "Kain batik tulis 2 meter, diwarnai dan dilorod sendiri oleh pembatik Blitar.",
                        ("Motif Kendi", "Motif Belimbing", "Motif Sekar Jagad")),
        ProductTemplate("Daster Batik Kancing Depan", "busana", "pcs", (60_000, 95_000), 250, _HAND, "dress",
                        "Daster katun rayon yang adem, kancing depan, nyaman untuk ibu menyusui.",
                        ("All Size", "Jumbo", "Motif Bunga")),
        ProductTemplate("Gamis Katun Rayon", "busana", "pcs", (120_000, 185_000), 400, _HAND, "dress",
                        "Gamis jahitan rapi dengan kain katun rayon, saku samping.", ("Hijau Sage", "Navy", "Mocca")),
        ProductTemplate("Mukena Katun Bordir", "busana", "set", (150_000, 250_000), 600, _HAND, "dress",
                        "Mukena katun dengan bordir tepi, lengkap dengan tas kecil.", ("Putih", "Krem")),
        ProductTemplate("Masker Kain 3 Lapis", "tas-aksesori-kain", "pack", (15_000, 25_000), 60, _HAND, "cloth",
                        "Masker kain 3 lapis, bisa dicuci, isi 3.", ("Motif Batik", "Polos")),
        ProductTemplate("Tas Kain Perca", "tas-aksesori-kain", "pcs", (40_000, 65_000), 200, _RECYCLED, "bag",
                        "Tas jinjing dari sisa kain perca penjahit, setiap tas motifnya lain.", ("", "Ukuran Besar")),
        ProductTemplate("Sarung Bantal Kain Perca", "tas-aksesori-kain", "pcs", (35_000, 50_000), 150, _RECYCLED,
                        "cloth", "Sarung bantal kursi 40 x 40 cm dari kain perca, ada resleting.", ("",)),
        ProductTemplate("Celemek Dapur Batik", "tas-aksesori-kain", "pcs", (35_000, 55_000), 150, _HAND, "shirt",
                        "Celemek dengan saku depan dari kain batik cap.", ("", "Anak")),
        ProductTemplate("Seragam Batik Kelompok", "batik", "pcs", (110_000, 150_000), 300, _HAND, "shirt",
                        "Kemeja batik untuk seragam kelompok, bisa pesan ukuran sendiri.", ("Pria", "Wanita")),
    ),
    "farm": (
        ProductTemplate("Bayam Organik", "sayur-organik", "ikat", (4_000, 7_000), 250, _ORGANIC, "leaf",
                        "Bayam hijau dipanen pagi hari, tanpa pestisida kimia.", ("", "Merah")),
        ProductTemplate("Kangkung Organik", "sayur-organik", "ikat", (4_000, 6_000), 250, _ORGANIC, "leaf",
                        "Kangkung darat segar dari kebun organik.", ("",)),
        ProductTemplate("Sawi Hijau Organik", "sayur-organik", "ikat", (5_000, 8_000), 300, _ORGANIC, "leaf",
                        "Sawi hijau renyah, dipupuk kompos kandang.", ("",)),
        ProductTemplate("Selada Keriting Organik", "sayur-organik", "pack", (10_000, 15_000), 250, _ORGANIC, "leaf",
                        "Selada keriting untuk lalapan dan salad.", ("",)),
        ProductTemplate("Tomat Organik", "sayur-organik", "kg", (14_000, 20_000), 1_000, _ORGANIC, "fruit",
                        "Tomat merah matang pohon.", ("", "Cherry")),
        ProductTemplate("Cabai Rawit Organik", "sayur-organik", "pack", (12_000, 20_000), 250, _ORGANIC, "fruit",
                        "Cabai rawit pedas, 250 gram per pack.", ("",)),
        ProductTemplate("Buncis Organik", "sayur-organik", "kg", (15_000, 22_000), 1_000, _ORGANIC, "leaf",
                        "Buncis muda, dipetik sehari sebelum dikirim.", ("",)),
        ProductTemplate("Belimbing Manis Karangsari", "buah-organik", "kg", (15_000, 25_000), 1_000, _ORGANIC,
                        "fruit", "Belimbing manis khas Karangsari, Kota Blitar, dibungkus sejak di pohon.",
                        ("", "Super")),
        ProductTemplate("Pepaya California Organik", "buah-organik", "kg", (8_000, 12_000), 1_000, _ORGANIC, "fruit",
                        "Pepaya manis, daging tebal berwarna oranye.", ("",)),
        ProductTemplate("Pisang Raja Organik", "buah-organik", "kg", (12_000, 18_000), 1_000, _ORGANIC, "fruit",
                        "Pisang raja matang alami, cocok untuk digoreng atau dimakan langsung.", ("",)),
        ProductTemplate("Beras Organik Mentik Wangi", "beras-biji-bijian", "kg", (16_000, 22_000), 1_000, _ORGANIC,
                        "grain", "Beras pulen dan wangi dari sawah organik bersertifikat kelompok.",
                        ("", "Kemasan 5 kg")),
        ProductTemplate("Beras Merah Organik", "beras-biji-bijian", "kg", (20_000, 28_000), 1_000, _ORGANIC, "grain",
                        "Beras merah tumbuk, kaya serat.", ("",)),
        ProductTemplate("Beras Hitam Organik", "beras-biji-bijian", "kg", (28_000, 38_000), 1_000, _ORGANIC, "grain",
                        "Beras hitam organik untuk nasi sehat dan bubur.", ("",)),
        ProductTemplate("Jagung Manis Organik", "sayur-organik", "kg", (10_000, 14_000), 1_000, _ORGANIC, "fruit",
                        "Jagung manis panen muda.", ("",)),
        ProductTemplate("Kacang Tanah Organik", "beras-biji-bijian", "kg", (28_000, 36_000), 1_000, _ORGANIC, "grain",
                        "Kacang tanah kupas kering, bebas jamur.", ("",)),
        ProductTemplate("Kedelai Lokal Organik", "beras-biji-bijian", "kg", (14_000, 18_000), 1_000, _ORGANIC,
                        "grain", "Kedelai lokal untuk tempe dan susu kedelai.", ("",)),
    ),
    "food": (
        ProductTemplate("Sambal Pecel Blitar", "sambal-bumbu", "pack", (15_000, 22_000), 250, (), "jar",
                        "Bumbu pecel khas Blitar dari kacang tanah sangrai, tinggal seduh air panas.",
                        ("Pedas", "Sedang", "Kemasan 500 gram")),
        ProductTemplate("Sambal Bawang", "sambal-bumbu", "botol", (20_000, 28_000), 200, (), "jar",
                        "Sambal bawang goreng dalam botol kaca, tahan dua minggu.", ("", "Cumi")),
        ProductTemplate("Wajik Kletik", "kue-jajanan", "pack", (15_000, 25_000), 250, _HAND, "pack",
                        "Wajik kletik khas Blitar dari ketan dan gula kelapa, dibungkus kulit jagung.",
                        ("Gula Merah", "Pandan", "Durian")),
        ProductTemplate("Opak Gambir", "kue-jajanan", "pack", (18_000, 28_000), 250, _HAND, "pack",
                        "Opak gambir renyah khas Blitar, dipanggang di cetakan arang.", ("Original", "Pandan")),
        ProductTemplate("Keripik Tempe", "keripik-camilan", "pack", (12_000, 18_000), 200, (), "pack",
                        "Keripik tempe tipis dan renyah dari kedelai lokal.", ("Original", "Pedas", "Daun Jeruk")),
        ProductTemplate("Keripik Singkong Balado", "keripik-camilan", "pack", (10_000, 15_000), 200, (), "pack",
                        "Keripik singkong dengan bumbu balado.", ("", "Extra Pedas")),
        ProductTemplate("Keripik Pisang", "keripik-camilan", "pack", (12_000, 18_000), 200, (), "pack",
                        "Keripik pisang kepok, tanpa pengawet.", ("Manis", "Asin")),
        ProductTemplate("Rengginang Lorjuk", "keripik-camilan", "pack", (20_000, 30_000), 250, _HAND, "pack",
                        "Rengginang ketan mentah, tinggal digoreng.", ("",)),
        ProductTemplate("Abon Lele", "sambal-bumbu", "pack", (25_000, 35_000), 150, (), "jar",
                        "Abon lele gurih dari lele budidaya sendiri.", ("Original", "Pedas")),
        ProductTemplate("Kue Semprit", "kue-jajanan", "pack", (25_000, 40_000), 400, _HAND, "pack",
                        "Kue semprit mentega, cocok untuk suguhan Lebaran.", ("Toples 500 gram", "Isi Ulang")),
        ProductTemplate("Gula Kelapa", "madu-gula", "kg", (18_000, 26_000), 1_000, (), "grain",
                        "Gula kelapa cetak dari nira pohon kelapa sendiri.", ("", "Semut")),
    ),
    "drink": (
        ProductTemplate("Kopi Robusta Lereng Kelud", "kopi", "pack", (30_000, 55_000), 250, (), "cup",
                        "Kopi robusta petik merah dari lereng Gunung Kelud, disangrai sedang.", ("Bubuk", "Biji")),
        ProductTemplate("Kopi Excelsa", "kopi", "pack", (35_000, 60_000), 250, (), "cup",
                        "Kopi excelsa dengan rasa buah, sangrai terang.", ("Bubuk", "Biji")),
        ProductTemplate("Jamu Kunyit Asam", "jamu-herbal", "botol", (8_000, 12_000), 300, (), "bottle",
                        "Jamu kunyit asam segar tanpa pengawet, simpan di kulkas.", ("", "Isi 1 Liter")),
        ProductTemplate("Wedang Uwuh", "jamu-herbal", "pack", (15_000, 25_000), 150, (), "cup",
                        "Rempah wedang uwuh siap seduh: jahe, secang, cengkih, kayu manis.", ("Isi 5", "Isi 10")),
        ProductTemplate("Sirup Belimbing", "jamu-herbal", "botol", (20_000, 30_000), 700, (), "bottle",
                        "Sirup dari belimbing Karangsari, segar dicampur es.", ("",)),
        ProductTemplate("Madu Klanceng", "madu-gula", "botol", (60_000, 120_000), 400, _ORGANIC, "bottle",
                        "Madu lebah klanceng (tanpa sengat), rasa manis asam.", ("250 ml", "500 ml")),
        ProductTemplate("Teh Daun Kelor", "jamu-herbal", "pack", (15_000, 22_000), 100, _ORGANIC, "leaf",
                        "Daun kelor kering dari kebun organik, seduh seperti teh.", ("",)),
    ),
}

KIND_TRAINING = {
    "craft": "kerajinan-daur-ulang",
    "sewing": "menjahit",
    "farm": "pertanian-organik",
    "food": "olahan-pangan",
    "drink": "olahan-pangan",
}


# ---- producers -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoProducer:
    shop_name: str
    owner: str
    group_name: str
    kind: str
    kecamatan: str
    desa: str
    story: str
    status: SellerStatus = SellerStatus.APPROVED
    status_reason: str = ""
    extra_training: bool = False  # also completed a "Lainnya" cohort
    papers: tuple[str, ...] = ()  # which of nib / pirt / halal they hold


_A, _P, _R, _S = SellerStatus.APPROVED, SellerStatus.PENDING, SellerStatus.REJECTED, SellerStatus.SUSPENDED

PRODUCERS: tuple[DemoProducer, ...] = (
    DemoProducer("Anyaman Plastik Bu Sri", "Sri Wahyuni", "Kelompok Wanita Kreatif Sawentar", "craft", "Kanigoro",
                 "Sawentar", "Berawal dari sampah plastik kemasan di desa kami, ibu-ibu Sawentar menganyamnya menjadi "
                 "tas belanja yang kuat dan cerah. Setiap tas dikerjakan tangan selama dua sampai tiga hari.",
                 extra_training=True, papers=("nib",)),
    DemoProducer("Kreasi Koran Bekas Plosokerep", "Siti Aminah", "Bank Sampah Melati Bersih", "craft", "Sananwetan",
                 "Plosokerep", "Koran bekas dari warga kami gulung, anyam dan pernis menjadi keranjang yang awet. "
                 "Hasil penjualan sebagian kembali ke kas bank sampah.", papers=("nib",)),
    DemoProducer("Pot Ban Bekas Jeblog", "Endang Purwanti", "PKK Desa Jeblog", "craft", "Talun", "Jeblog",
                 "Ban bekas dari bengkel di sepanjang jalan Talun kami ubah menjadi pot bunga berwarna. "
                 "Kami mulai setelah pelatihan daur ulang tahun 2024."),
    DemoProducer("Dompet Kopi Togogan", "Lilik Suryani", "PKK Desa Togogan", "craft", "Srengat", "Togogan",
                 "Bungkus kopi sachet dari warung-warung kami cuci dan anyam menjadi dompet dan tas kecil.",
                 extra_training=True),
    DemoProducer("Lampu Botol Penataran", "Tutik Handayani", "Karang Taruna Penataran", "craft", "Nglegok",
                 "Penataran", "Dekat Candi Penataran, kami membuat lampu hias dari botol kaca bekas untuk oleh-oleh "
                 "wisatawan dan hiasan rumah.", papers=("nib",)),
    DemoProducer("Perca Ceria Beru", "Wiwik Rahayu", "Kelompok Perempuan Beru Berdaya", "craft", "Wlingi", "Beru",
                 "Sisa kain dari penjahit di Wlingi kami jadikan tatakan, celengan dan hiasan. Tidak ada kain yang "
                 "terbuang."),
    DemoProducer("Kriya Daur Ulang Kembangarum", "Yuli Astuti", "Bank Sampah Kembang Asri", "craft", "Sutojayan",
                 "Kembangarum", "Kelompok kami mengolah botol plastik dan kaleng menjadi bunga hias dan celengan.",
                 papers=("nib",)),
    DemoProducer("Bunga Botol Plosorejo", "Nur Hidayati", "", "craft", "Kademangan", "Plosorejo",
                 "Saya membuat bunga hias dari botol plastik di rumah sambil menjaga anak.", status=_R,
                 status_reason="Foto produk belum jelas dan alamat belum lengkap. Silakan lengkapi lalu ajukan lagi."),
    DemoProducer("Batik Sekar Penataran", "Sumarni", "Kelompok Batik Tanggung", "sewing", "Sukorejo", "Tanggung",
                 "Kami membatik dengan motif yang terinspirasi relief Candi Penataran dan buah belimbing Blitar.",
                 extra_training=True, papers=("nib",)),
    DemoProducer("Jahit Rapi Bu Tini", "Tini Suharti", "", "sewing", "Garum", "Sumberdiren",
                 "Setelah pelatihan menjahit 2024 saya membuka jahitan di rumah: daster, gamis dan seragam.",
                 papers=("nib",)),
    DemoProducer("Daster Ayu Sumberjo", "Ayu Lestari", "Kelompok Jahit Sumberjo", "sewing", "Sanankulon", "Sumberjo",
                 "Daster dan gamis kami jahit sendiri dengan kain yang adem untuk udara Blitar yang panas."),
    DemoProducer("Mukena Bordir Kunir", "Umi Kalsum", "Majelis Taklim Al-Hidayah Kunir", "sewing", "Wonodadi",
                 "Kunir", "Ibu-ibu majelis taklim menjahit dan membordir mukena di sela kegiatan pengajian.",
                 papers=("nib",)),
    DemoProducer("Konveksi Mekar Sari", "Rukmini", "Kelompok Usaha Mekar Sari", "sewing", "Gandusari", "Sukosewu",
                 "Kami menerima jahitan seragam kelompok dan membuat tas kain perca dari sisa potongan.",
                 status=_S, status_reason="Banyak pesanan tidak dikirim; ditangguhkan sampai pertemuan dengan petugas."),
    DemoProducer("Batik Cap Bendo", "Dwi Setyowati", "Sanggar Batik Bendo", "sewing", "Kepanjenkidul", "Bendo",
                 "Sanggar kecil kami membuat kain batik cap dan kemeja untuk kantor dan sekolah.",
                 papers=("nib",)),
    DemoProducer("Tas Kain Siraman", "Ika Puspitasari", "", "sewing", "Kesamben", "Siraman",
                 "Saya menjahit tas kain dan celemek dari kain batik sisa produksi.", status=_P),
    DemoProducer("Sayur Organik Sumberurip", "Mulyono", "Kelompok Tani Sumber Urip", "farm", "Doko", "Sumberurip",
                 "Di lereng yang sejuk kami menanam sayur tanpa pestisida kimia sejak ikut sekolah lapang organik.",
                 papers=("nib",)),
    DemoProducer("KWT Sumber Rejeki", "Sumiati", "Kelompok Wanita Tani Sumber Rejeki", "farm", "Ponggok", "Candirejo",
                 "Kelompok wanita tani kami menanam sayur di pekarangan dan lahan desa, dipanen pagi dan langsung "
                 "dikirim.", extra_training=True),
    DemoProducer("Beras Organik Udanawu", "Suparman", "Gapoktan Tani Rukun", "farm", "Udanawu", "Sukorejo",
                 "Sawah kami beralih ke organik sejak 2024. Padi mentik wangi kami giling sendiri seminggu sekali.",
                 papers=("nib",)),
    DemoProducer("Belimbing Karangsari Pak Harsono", "Harsono", "Kelompok Tani Belimbing Karangsari", "farm",
                 "Sukorejo", "Karangsari", "Kebun belimbing keluarga kami dirawat dengan pupuk kandang; setiap buah "
                 "dibungkus sejak kecil agar mulus.", papers=("nib",)),
    DemoProducer("Tani Makmur Ampelgading", "Wahyu Hidayat", "Kelompok Tani Makmur", "farm", "Selorejo",
                 "Ampelgading", "Kami menanam tomat, cabai dan buncis organik di lahan bekas tebu."),
    DemoProducer("Padi Organik Sumberkembar", "Agus Santoso", "Gapoktan Sumberkembar", "farm", "Binangun",
                 "Sumberkembar", "Beras merah, beras hitam dan kacang tanah kami tanam bergiliran tanpa pupuk kimia.",
                 papers=("nib",)),
    DemoProducer("Kebun Organik Tugurejo", "Budi Prasetyo", "", "farm", "Wates", "Tugurejo",
                 "Kebun kecil keluarga dengan pepaya, pisang dan jagung manis.", status=_P),
    DemoProducer("Pecel Mbok Sum", "Sumini", "", "food", "Sananwetan", "Karangtengah",
                 "Resep bumbu pecel dari ibu saya, kacangnya disangrai di wajan tanah liat.",
                 papers=("nib", "pirt", "halal")),
    DemoProducer("Wajik Kletik Bu Har", "Hartini", "UKM Jatitengah Manis", "food", "Selopuro", "Jatitengah",
                 "Wajik kletik kami dimasak enam jam dan dibungkus kulit jagung seperti dulu.",
                 extra_training=True, papers=("nib", "pirt", "halal")),
    DemoProducer("Opak Gambir Tumpakkepuh", "Kasiyem", "Kelompok Olahan Pangan Tumpakkepuh", "food", "Bakung",
                 "Tumpakkepuh", "Opak gambir dipanggang satu per satu di atas arang oleh ibu-ibu desa.",
                 papers=("pirt",)),
    DemoProducer("Keripik Tempe Bu Yayuk", "Yayuk Sri Rahayu", "", "food", "Panggungrejo", "Serang",
                 "Tempe kami buat sendiri dari kedelai lokal, diiris tipis lalu digoreng renyah.",
                 papers=("nib", "pirt")),
    DemoProducer("Abon Lele Mina Sejahtera", "Mujiati", "Pokdakan Mina Sejahtera", "food", "Wonotirto", "Ngeni",
                 "Kelompok pembudidaya ikan kami mengolah lele menjadi abon agar harga panen tidak jatuh.",
                 papers=("nib", "pirt", "halal")),
    DemoProducer("Rengginang Gaprang", "Rini Anggraeni", "", "food", "Kanigoro", "Gaprang",
                 "Rengginang dan kue kering buatan rumah, dijemur di bawah matahari Gaprang.", status=_P),
    DemoProducer("Kopi Lereng Kelud Nglegok", "Slamet Widodo", "Kelompok Tani Kopi Kelud Makmur", "drink", "Nglegok",
                 "Nglegok", "Kopi robusta dan excelsa dari kebun warga di lereng Kelud, kami sangrai sendiri.",
                 extra_training=True, papers=("nib", "pirt")),
    DemoProducer("Jamu Sari Rempah Bajang", "Endah Kusumawati", "", "drink", "Talun", "Bajang",
                 "Jamu kunyit asam, wedang uwuh dan madu klanceng dari pekarangan dan lebah kami sendiri.",
                 papers=("nib", "pirt", "halal")),
)


# ---- helpers -------------------------------------------------------------------------------------

def slugify(text: str) -> str:
    """`Sambal Pecel Blitar (Pedas)` → `sambal-pecel-blitar-pedas`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def database_has_users(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) > 0


def random_whatsapp(rng: random.Random) -> str:
    """A valid-looking Telkomsel number in E.164, e.g. `+6281234567890`."""
    while True:
        number = f"+62812{rng.randrange(10_000_000, 99_999_999)}"
        try:
            return normalise_phone(number)
        except ValueError:
            continue


def round_price(rng: random.Random, low: int, high: int) -> int:
    """A price between low and high, rounded the way stalls price: to Rp 500 or Rp 1.000."""
    step = 500 if high < 30_000 else 1_000
    return rng.randrange(low // step, high // step + 1) * step


def _at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


# ---- pictures ------------------------------------------------------------------------------------

PASTELS = ((252, 236, 214), (226, 242, 228), (228, 236, 250), (250, 228, 232), (244, 240, 214), (236, 228, 246),
           (220, 240, 240), (248, 232, 220))
MOTIF_COLOURS = {
    "bag": ((214, 80, 60), (40, 140, 160), (230, 160, 40)), "wallet": ((180, 40, 60), (90, 60, 40), (40, 90, 170)),
    "basket": ((150, 100, 50), (120, 80, 40)), "pot": ((60, 150, 90), (220, 110, 50), (50, 110, 180)),
    "box": ((130, 90, 50), (200, 170, 120)), "flower": ((220, 70, 110), (240, 170, 40), (150, 80, 200)),
    "lamp": ((60, 140, 90), (90, 160, 190)), "cloth": ((140, 60, 40), (40, 70, 130), (160, 110, 40)),
    "shirt": ((120, 60, 30), (40, 80, 140), (30, 110, 90)), "dress": ((110, 140, 110), (40, 50, 100), (170, 120, 90)),
    "leaf": ((60, 150, 60), (40, 120, 50)), "fruit": ((220, 60, 40), (240, 180, 30), (245, 130, 40)),
    "grain": ((200, 170, 110), (140, 60, 60), (60, 40, 50)), "pack": ((200, 70, 40), (220, 150, 40), (90, 130, 60)),
    "jar": ((170, 50, 30), (150, 90, 40)), "bottle": ((220, 160, 30), (150, 60, 90), (200, 120, 30)),
    "cup": ((90, 55, 35), (130, 80, 50)), "person": ((80, 110, 160), (170, 90, 110), (70, 130, 100)),
}


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * factor))) for c in colour)  # type: ignore[return-value]


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _draw_motif(draw: ImageDraw.ImageDraw, motif: str, c: tuple[int, int, int], cx: int, cy: int, s: int) -> None:
    """Draw a simple shape suggesting the product, centred on (cx, cy), about 2*s wide."""
    dark, light = _shade(c, 0.7), _shade(c, 1.35)
    if motif == "bag":
        draw.arc((cx - s // 2, cy - s, cx + s // 2, cy), 180, 360, fill=dark, width=max(6, s // 12))
        draw.polygon([(cx - s, cy - s // 2), (cx + s, cy - s // 2), (cx + int(s * .8), cy + s), (cx - int(s * .8), cy + s)], fill=c)
        for i in range(1, 5):
            y = cy - s // 2 + i * s * 3 // 10
            draw.line((cx - s + i * 8, y, cx + s - i * 8, y), fill=light, width=6)
    elif motif == "wallet":
        draw.rounded_rectangle((cx - s, cy - s // 2, cx + s, cy + s // 2), radius=s // 6, fill=c)
        draw.polygon([(cx - s, cy - s // 2), (cx + s, cy - s // 2), (cx, cy + s // 8)], fill=dark)
        for i in range(-3, 4):
            draw.line((cx + i * s // 4, cy + s // 6, cx + i * s // 4, cy + s // 2 - 8), fill=light, width=5)
    elif motif == "basket":
        draw.polygon([(cx - s, cy - s // 3), (cx + s, cy - s // 3), (cx + int(s * .7), cy + s), (cx - int(s * .7), cy + s)], fill=c)
        draw.ellipse((cx - s, cy - s // 2, cx + s, cy - s // 6), fill=dark)
        for i in range(1, 5):
            y = cy - s // 3 + i * s // 4
            draw.line((cx - s + i * 8, y, cx + s - i * 8, y), fill=light, width=7)
    elif motif == "pot":
        draw.ellipse((cx - s // 2, cy - s, cx, cy - s // 3), fill=(70, 160, 80))
        draw.ellipse((cx - s // 6, cy - int(s * 1.1), cx + s // 2, cy - s // 3), fill=(50, 130, 60))
        draw.polygon([(cx - s, cy - s // 3), (cx + s, cy - s // 3), (cx + s // 2, cy + s), (cx - s // 2, cy + s)], fill=c)
        draw.rectangle((cx - s, cy - s // 3, cx + s, cy - s // 8), fill=dark)
    elif motif == "box":
        draw.rounded_rectangle((cx - s, cy - s // 2, cx + s, cy + int(s * .8)), radius=12, fill=c)
        draw.rounded_rectangle((cx - s // 3, cy - s // 2 - 10, cx + s // 3, cy - s // 2 + 14), radius=8, fill=dark)
        for i in range(-3, 4):
            draw.line((cx + i * s // 4, cy - s // 2 + 20, cx + i * s // 4, cy + int(s * .8) - 10), fill=light, width=5)
    elif motif == "flower":
        draw.line((cx, cy, cx, cy + s), fill=(60, 130, 60), width=10)
        for angle in range(0, 360, 60):
            px = cx + int(math.cos(math.radians(angle)) * s * .45)
            py = cy - s // 4 + int(math.sin(math.radians(angle)) * s * .45)
            draw.ellipse((px - s // 3, py - s // 3, px + s // 3, py + s // 3), fill=c)
        draw.ellipse((cx - s // 5, cy - s // 4 - s // 5, cx + s // 5, cy - s // 4 + s // 5), fill=(250, 210, 60))
    elif motif in ("lamp", "bottle"):
        if motif == "lamp":
            draw.ellipse((cx - s, cy - s, cx + s, cy + s // 2), fill=(255, 240, 170))
        draw.rectangle((cx - s // 6, cy - s, cx + s // 6, cy - s // 2), fill=dark)
        draw.rounded_rectangle((cx - s // 2, cy - s // 2, cx + s // 2, cy + s), radius=s // 5, fill=c)
        draw.rectangle((cx - s // 2, cy, cx + s // 2, cy + s // 2), fill=light)
    elif motif == "cloth":
        for i in range(3):
            off = i * s // 5
            draw.rectangle((cx - s + off, cy - s // 2 + off, cx + s - off // 2, cy + s // 2 + off), fill=_shade(c, 1 + i * .15))
        for x in range(cx - s + 20, cx + s - 10, 36):
            for y in range(cy - s // 2 + 20, cy + s // 2, 36):
                draw.ellipse((x - 9, y - 9, x + 9, y + 9), outline=light, width=4)
    elif motif == "shirt":
        draw.polygon([(cx - s // 3, cy - s), (cx - s, cy - s // 2), (cx - int(s * .75), cy - s // 6), (cx - s // 2, cy - s // 3),
                      (cx - s // 2, cy + s), (cx + s // 2, cy + s), (cx + s // 2, cy - s // 3), (cx + int(s * .75), cy - s // 6),
                      (cx + s, cy - s // 2), (cx + s // 3, cy - s)], fill=c)
        for x in range(cx - s // 2 + 18, cx + s // 2, 34):
            for y in range(cy - s // 2, cy + s - 10, 34):
                draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=light)
    elif motif == "dress":
        draw.polygon([(cx - s // 4, cy - s), (cx + s // 4, cy - s), (cx + s // 3, cy - s // 3), (cx + s, cy + s),
                      (cx - s, cy + s), (cx - s // 3, cy - s // 3)], fill=c)
        draw.rectangle((cx - s // 3, cy - s // 3, cx + s // 3, cy - s // 5), fill=dark)
    elif motif == "leaf":
        for i, dx in enumerate((-s // 2, 0, s // 2)):
            draw.ellipse((cx + dx - s // 3, cy - s, cx + dx + s // 3, cy + s // 4), fill=_shade(c, 1 + i * .12))
        draw.rectangle((cx - s // 2, cy + s // 6, cx + s // 2, cy + s // 3), fill=(190, 150, 90))
        draw.polygon([(cx - s // 4, cy + s // 3), (cx + s // 4, cy + s // 3), (cx + s // 10, cy + s), (cx - s // 10, cy + s)],
                     fill=(150, 190, 110))
    elif motif == "fruit":
        for dx, dy, r in ((-s // 2, s // 4, s // 2), (s // 2, s // 4, s // 2), (0, -s // 4, s // 2)):
            draw.ellipse((cx + dx - r, cy + dy - r, cx + dx + r, cy + dy + r), fill=c, outline=dark, width=4)
            draw.ellipse((cx + dx - r // 6, cy + dy - r - 8, cx + dx + r // 2, cy + dy - r + 18), fill=(60, 140, 60))
    elif motif == "grain":
        draw.rounded_rectangle((cx - int(s * .8), cy - int(s * .7), cx + int(s * .8), cy + s), radius=s // 4, fill=(235, 225, 200))
        draw.polygon([(cx - int(s * .8), cy - int(s * .7)), (cx - s // 3, cy - s), (cx + s // 3, cy - s),
                      (cx + int(s * .8), cy - int(s * .7))], fill=(220, 205, 170))
        for x in range(cx - s // 2, cx + s // 2 + 1, 30):
            for y in range(cy - s // 4, cy + int(s * .8), 30):
                draw.ellipse((x - 8, y - 5, x + 8, y + 5), fill=c)
    elif motif == "pack":
        draw.rectangle((cx - int(s * .7), cy - s + 16, cx + int(s * .7), cy + s), fill=c)
        for x in range(cx - int(s * .7), cx + int(s * .7), 20):
            draw.polygon([(x, cy - s + 16), (x + 10, cy - s), (x + 20, cy - s + 16)], fill=c)
        draw.ellipse((cx - s // 2, cy - s // 6, cx + s // 2, cy + int(s * .75)), fill=(250, 240, 215))
        for dx, dy in ((-s // 5, s // 6), (s // 6, s // 3), (0, int(s * .55))):
            draw.ellipse((cx + dx - s // 7, cy + dy - s // 9, cx + dx + s // 7, cy + dy + s // 9), fill=(225, 170, 70))
    elif motif == "jar":
        draw.rounded_rectangle((cx - int(s * .6), cy - int(s * .6), cx + int(s * .6), cy + s), radius=s // 5, fill=c)
        draw.rectangle((cx - s // 2, cy - s, cx + s // 2, cy - int(s * .6)), fill=(200, 60, 50))
        draw.rectangle((cx - int(s * .6), cy - s // 10, cx + int(s * .6), cy + s // 2), fill=(250, 240, 215))
    elif motif == "cup":
        draw.rounded_rectangle((cx - int(s * .7), cy - s // 3, cx + int(s * .5), cy + s), radius=s // 6, fill=c)
        draw.arc((cx + s // 3, cy - s // 10, cx + s, cy + s // 2), 270, 90, fill=c, width=16)
        for dx in (-s // 3, 0, s // 3):
            draw.arc((cx + dx - 20, cy - s, cx + dx + 20, cy - s // 2), 90, 270, fill=(150, 120, 100), width=6)
        draw.ellipse((cx - int(s * .7), cy - s // 3 - 14, cx + int(s * .5), cy - s // 3 + 14), fill=dark)
    elif motif == "person":
        draw.ellipse((cx - s // 2, cy - s, cx + s // 2, cy), fill=(230, 190, 150))
        draw.pieslice((cx - s, cy + s // 8, cx + s, cy + 2 * s), 180, 360, fill=c)
    else:  # pragma: no cover - every motif above is in MOTIF_COLOURS
        draw.ellipse((cx - s, cy - s, cx + s, cy + s), fill=c)


def initials(text: str) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    return "".join(w[0] for w in words[:2]).upper() or "PL"


def draw_picture(rng: random.Random, motif: str, label: str, *, size: tuple[int, int] = (800, 600)) -> bytes:
    """A pleasant placeholder picture: pastel background, a motif and the label's initials (JPEG bytes)."""
    width, height = size
    background = rng.choice(PASTELS)
    picture = PILImage.new("RGB", size, background)
    draw = ImageDraw.Draw(picture)
    pattern = _shade(background, 0.94)
    if rng.random() < 0.5:
        for x in range(-height, width, 48):
            draw.line((x, height, x + height, 0), fill=pattern, width=14)
    else:
        for x in range(24, width, 60):
            for y in range(24, height, 60):
                draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=pattern)
    colour = rng.choice(MOTIF_COLOURS.get(motif, ((120, 120, 120),)))
    draw.ellipse((width // 2 - 265, height // 2 - 250, width // 2 + 265, height // 2 + 265), fill=_shade(background, 1.04))
    _draw_motif(draw, motif, colour, width // 2 + rng.randint(-30, 30), height // 2 + rng.randint(-10, 20), 180)
    radius = 64
    bx, by = width - radius - 28, height - radius - 28
    draw.ellipse((bx - radius, by - radius, bx + radius, by + radius), fill=(255, 255, 255), outline=_shade(colour, .8), width=6)
    draw.text((bx, by), initials(label), fill=_shade(colour, .8), font=_font(56), anchor="mm")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class ImageSettings:
    """Limits and rendition widths of the photo pipeline (normally from the app config)."""

    widths: tuple[int, ...] = (320, 800, 1600)
    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 40_000_000


def store_picture(session: Session, storage: Storage, data: bytes, settings: ImageSettings) -> Image:
    """Run generated bytes through the real upload pipeline and add the Image row."""
    processed = process_image(io.BytesIO(data), max_bytes=settings.max_bytes, max_pixels=settings.max_pixels,
                              widths=settings.widths)
    return store_image(session, storage, processed)


# ---- loading -------------------------------------------------------------------------------------

@dataclass
class DemoSummary:
    users: int = 0
    sellers: int = 0
    products: int = 0
    images: int = 0
    categories: int = 0
    cohorts: int = 0
    orders: int = 0
    reviews: int = 0


def add_reference_data(session: Session) -> tuple[dict[str, Category], dict[str, Tag], dict[str, list[Cohort]]]:
    """Add (or reuse, by slug) the categories, tags, training types and cohorts; no commit."""
    categories = {c.slug: c for c in session.scalars(select(Category))}
    for position, (slug, name_id, name_en, parent) in enumerate(CATEGORIES):
        if slug not in categories:
            categories[slug] = Category(slug=slug, name_id=name_id, name_en=name_en,
                                        parent=categories[parent] if parent else None, position=position)
            session.add(categories[slug])
    tags = {t.slug: t for t in session.scalars(select(Tag))}
    for slug, name_id, name_en in TAGS:
        if slug not in tags:
            tags[slug] = Tag(slug=slug, name_id=name_id, name_en=name_en)
            session.add(tags[slug])
    trainings = {t.slug: t for t in session.scalars(select(TrainingType))}
    for slug, name_id, name_en in TRAINING_TYPES:
        if slug not in trainings:
            trainings[slug] = TrainingType(slug=slug, name_id=name_id, name_en=name_en)
            session.add(trainings[slug])
    existing = {c.name for c in session.scalars(select(Cohort))}
    cohorts: dict[str, list[Cohort]] = {slug: [] for slug, _, _ in TRAINING_TYPES}
    for training, name, place, start, end in COHORTS:
        if name in existing:
            continue
        cohort = Cohort(training_type=trainings[training], name=name, place=place, start_date=start, end_date=end)
        session.add(cohort)
        cohorts[training].append(cohort)
    session.flush()
    for cohort in session.scalars(select(Cohort)):
        if cohort not in cohorts[cohort.training_type.slug]:
            cohorts[cohort.training_type.slug].append(cohort)
    return categories, tags, cohorts


def product_pool(kind: str, rng: random.Random) -> list[tuple[ProductTemplate, str]]:
    """Every (template, variant) a producer of this kind could sell, shuffled."""
    pool = [(t, v) for t in PRODUCT_TEMPLATES[kind] for v in t.variants]
    rng.shuffle(pool)
    return pool


def product_name(template: ProductTemplate, variant: str) -> str:
    return f"{template.name} {variant}".strip()


def seed_demo(
    session: Session,
    storage: Storage,
    *,
    hash_method: str,
    seed: int = DEFAULT_SEED,
    products: int = DEMO_PRODUCT_COUNT,
    orders: int = DEMO_ORDER_COUNT,
    now: datetime | None = None,
    images: ImageSettings | None = None,
    expiry_minutes: dict | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo market (one commit), then its order history.

    The orders go through the real order services, each step committing on its own.
    Raises DemoDataError('not_empty') when any user exists, so a real database is never touched.
    """
    if database_has_users(session):
        raise DemoDataError("not_empty")
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    images = images or ImageSettings()
    summary = DemoSummary()
    try:
        categories, tags, cohorts = add_reference_data(session)
        summary.categories = len(categories)
        summary.cohorts = sum(len(c) for c in cohorts.values())
        hashes = {password: hash_password(password, hash_method)
                  for password in {d.password for d in DEMO_LOGINS} | {PRODUCER_PASSWORD}}
        staff = _add_staff(session, rng, hashes, now)
        sellers = _add_producers(session, storage, rng, hashes, cohorts, staff["officer"], now, images)
        summary.products, summary.images = _add_products(
            session, storage, rng, sellers, categories, tags, products, now, images)
        summary.images += len(sellers)
        summary.users = len(staff) + len(sellers)
        summary.sellers = len(sellers)
        session.commit()
        # A stream of its own, so the market stays the same whatever the order history does.
        summary.orders, summary.reviews = add_demo_orders(
            session, random.Random(seed * 7_919 + 1), count=orders, now=now, buyer=staff["buyer"],
            officer=staff["officer"], expiry_minutes=expiry_minutes)
    except Exception:
        session.rollback()
        raise
    return summary


def _add_staff(session: Session, rng: random.Random, hashes: dict[str, str], now: datetime) -> dict[str, User]:
    people = {  # key: (login e-mail, name, role)
        "buyer": (f"pembeli@{DEMO_EMAIL_DOMAIN}", "Ayu Pratiwi", Role.BUYER),
        "officer": (f"petugas@{DEMO_EMAIL_DOMAIN}", "Bambang Setiawan", Role.OFFICER),
        "admin": (f"admin@{DEMO_EMAIL_DOMAIN}", "Admin Pasar Lokal", Role.ADMIN),
    }
    passwords = {d.email: d.password for d in DEMO_LOGINS}
    users = {}
    for key, (email, name, role) in people.items():
        users[key] = User(email=email, name=name, role=role, phone=random_whatsapp(rng),
                          password_hash=hashes[passwords[email]], preferred_language="id",
                          created_at=now - timedelta(days=700))
        session.add(users[key])
    session.flush()
    return users


def _add_producers(session, storage, rng, hashes, cohorts, officer, now, images) -> list[SellerProfile]:
    kecamatan_codes = {k.name: k.code for k in KECAMATAN}
    sellers: list[SellerProfile] = []
    for index, producer in enumerate(PRODUCERS):
        slug = slugify(producer.shop_name)
        email = f"penjual@{DEMO_EMAIL_DOMAIN}" if index == 0 else f"{slug}@demo.{DEMO_EMAIL_DOMAIN}"
        whatsapp = random_whatsapp(rng)
        training = KIND_TRAINING[producer.kind]
        main_cohort = rng.choice(cohorts[training][:2] if producer.status == _A else cohorts[training])
        completed = [main_cohort]
        if producer.extra_training and cohorts["lainnya"]:
            completed.append(rng.choice(cohorts["lainnya"]))
        joined = _at(min(main_cohort.end_date + timedelta(days=rng.randint(5, 40)), (now - timedelta(days=3)).date()))
        user = User(email=email, name=producer.owner, role=Role.BUYER, phone=whatsapp,
                    password_hash=hashes[PRODUCER_PASSWORD], preferred_language="id", created_at=joined)
        photo = store_picture(session, storage, draw_picture(rng, "person", producer.shop_name, size=(640, 640)), images)
        profile = SellerProfile(
            user=user, shop_name=producer.shop_name, slug=slug, story=producer.story,
            products_summary=", ".join(t.name for t in PRODUCT_TEMPLATES[producer.kind][:3]),
            photo=photo, kecamatan_code=kecamatan_codes[producer.kecamatan], desa=producer.desa,
            address=f"Jl. {rng.choice(_STREETS)} No. {rng.randint(1, 120)}, RT {rng.randint(1, 9):02d}/RW "
                    f"{rng.randint(1, 6):02d}, Desa {producer.desa}",
            whatsapp=whatsapp, group_name=producer.group_name, in_programme=True,
            nib=f"{rng.randrange(10**12, 10**13)}" if "nib" in producer.papers else None,
            pirt=f"2063505{rng.randrange(10**7, 10**8)}-{(joined.year + 5) % 100:02d}" if "pirt" in producer.papers else None,
            halal=f"ID35110{rng.randrange(10**11, 10**12)}" if "halal" in producer.papers else None,
            data_consent_at=joined, onboarding_step="done", status=producer.status,
            status_reason=producer.status_reason, submitted_at=joined + timedelta(hours=2),
            created_at=joined, updated_at=joined,
        )
        if producer.status in (_A, _S):
            profile.approved_by = officer
            profile.approved_at = min(joined + timedelta(days=rng.randint(1, 6)), now - timedelta(hours=1))
        for cohort in completed:
            profile.cohorts.append(SellerCohort(cohort=cohort, completed_on=cohort.end_date))
        if producer.status in (_A, _S):
            session.add(_delivery(rng, profile, producer.kind, producer.desa))
        session.add(profile)
        sellers.append(profile)
    session.flush()
    return sellers


_STREETS = ("Melati", "Mawar", "Kenanga", "Anggrek", "Raya", "Merdeka", "Sudanco Supriyadi", "Kalimantan",
            "Cempaka", "Flamboyan", "Diponegoro", "Kartini")


def _delivery(rng: random.Random, profile: SellerProfile, kind: str, desa: str) -> DeliverySettings:
    ships = kind in ("craft", "sewing", "food", "drink")
    local = rng.random() < 0.7
    return DeliverySettings(
        seller=profile, offers_pickup=True,
        pickup_note=f"Ambil di rumah, Desa {desa}, pukul 08.00-16.00 WIB.",
        offers_local_delivery=local, local_delivery_fee=rng.choice((5_000, 7_000, 10_000)) if local else 0,
        offers_courier=ships,
        courier_fee_blitar=8_000 if ships else 0, courier_fee_jatim=12_000 if ships else 0,
        courier_fee_indonesia=rng.choice((0, 25_000)) if ships else 0, offers_cash=True,
    )


def _add_products(session, storage, rng, sellers, categories, tags, count, now, images) -> tuple[int, int]:
    pools = {profile.id: product_pool(producer.kind, rng) for profile, producer in zip(sellers, PRODUCERS)}
    kinds = {profile.id: producer.kind for profile, producer in zip(sellers, PRODUCERS)}
    # Approved producers sell more; pending/rejected ones have a few drafts.
    weights = [3 if s.status == _A else 1 for s in sellers]
    order = list(range(len(sellers)))
    made = image_count = 0
    while made < count:
        # Round-robin by weight so that small counts still spread over many producers.
        for turn in range(max(weights)):
            for i in order:
                if made >= count or weights[i] <= turn:
                    continue
                profile = sellers[i]
                pool = pools[profile.id]
                if not pool:
                    pools[profile.id] = pool = product_pool(kinds[profile.id], rng)
                template, variant = pool.pop()
                image_count += _add_product(session, storage, rng, profile, template, variant, categories, tags,
                                            now, images, made)
                made += 1
    session.flush()
    return made, image_count


def _add_product(session, storage, rng, profile, template, variant, categories, tags, now, images, n) -> int:
    name = product_name(template, variant)
    if profile.status in (_A, _S):
        status = ProductStatus.DRAFT if rng.random() < 0.08 else ProductStatus.PUBLISHED
    else:
        status = ProductStatus.DRAFT
    since = profile.approved_at or profile.created_at
    span = max(1, int((now - since).total_seconds() // 3600))
    created = since + timedelta(hours=rng.randint(0, span))
    product = Product(
        seller=profile, category=categories[template.category], name=name, slug=f"{slugify(name)}-{n + 1}",
        description=f"{template.description} Dibuat oleh {profile.shop_name} di Desa {profile.desa}.",
        price=round_price(rng, *template.price), unit=template.unit,
        stock=rng.randint(10, 80) if template.unit in ("ikat", "kg") else rng.randint(3, 40),
        weight_grams=template.weight_grams, status=status,
        published_at=created if status == ProductStatus.PUBLISHED else None,
        created_at=created, updated_at=created,
        tags=[tags[t] for t in template.tags],
    )
    session.add(product)
    pictures = rng.randint(1, 3)
    for position in range(pictures):
        image = store_picture(session, storage, draw_picture(rng, template.motif, name), images)
        product.images.append(ProductImage(image=image, position=position))
    return pictures


# ---- orders --------------------------------------------------------------------------------------
#
# The demo's order history goes through the real services (checkout.place_order, orders.*,
# payments.*, reviews.add_review) with a fixed `now` per step, so every event, ledger entry and
# stock change is the one production would have written. Each service commits its own step.
# Only pure history the services stamp with the wall clock (events, ledger and audit rows of a
# refund, review dates, parts' updated_at) is moved back to the step's time afterwards.

ORDER_HISTORY_DAYS = 425  # about 14 months
DEMO_BUYER_ADDRESS = ("Jl. Cempaka No. 17, RT 02/RW 05", "Sananwetan", "Sananwetan", "35.72", "Kota Blitar",
                      "66137")
# recipient, e-mail user part, street, desa, kecamatan, regency code ("35" elsewhere in Jawa Timur,
# "" outside), regency name, postal code
DEMO_GUESTS = (
    ("Rina Kurniawati", "rina.kurnia", "Jl. Mawar No. 5", "Kepanjenlor", "Kepanjenkidul",
     "35.72", "Kota Blitar", "66117"),
    ("Dedi Firmansyah", "dedi.firman", "Jl. Raya Talun No. 41", "Talun", "Talun", "35.05", "Kabupaten Blitar", "66183"),
    ("Sri Mulyani", "srimul", "Dsn. Krajan RT 03/RW 01", "Sumberdiren", "Garum", "35.05", "Kabupaten Blitar", "66182"),
    ("Anton Wijaya", "antonw", "Jl. Kalimantan No. 22", "Sukorejo", "Sukorejo", "35.72", "Kota Blitar", "66121"),
    ("Fitri Handayani", "fitri.h", "Jl. Merdeka No. 88", "Kanigoro", "Kanigoro", "35.05", "Kabupaten Blitar", "66171"),
    ("Yusuf Hakim", "yusuf.hakim", "Perum Wlingi Indah B-7", "Beru", "Wlingi", "35.05", "Kabupaten Blitar", "66184"),
    ("Lina Marlina", "linamarlina", "Jl. Diponegoro No. 3", "Srengat", "Srengat", "35.05", "Kabupaten Blitar", "66152"),
    ("Hendra Gunawan", "hendra.g", "Jl. Soekarno-Hatta No. 12", "Lowokwaru", "Lowokwaru", "35",
     "Kota Malang", "65141"),
    ("Wulan Sari", "wulansari", "Jl. Dhoho No. 140", "Pocanan", "Kota", "35", "Kota Kediri", "64123"),
    ("Bayu Saputra", "bayu.saputra", "Jl. Raya Darmo No. 77", "Darmo", "Wonokromo", "35", "Kota Surabaya", "60241"),
    ("Nanik Suryani", "nanik.s", "Jl. Panglima Sudirman No. 9", "Kauman", "Tulungagung", "35",
     "Kabupaten Tulungagung", "66212"),
    ("Agus Salim", "agussalim", "Jl. Basuki Rahmat No. 30", "Kepanjen", "Kepanjen", "35", "Kabupaten Malang", "65163"),
    ("Maya Puspita", "maya.puspita", "Jl. Tebet Raya No. 15", "Tebet Barat", "Tebet", "", "Jakarta Selatan", "12810"),
    ("Rudi Hartono", "rudi.hartono", "Jl. Malioboro No. 60", "Sosromenduran", "Gedongtengen", "", "Kota Yogyakarta",
     "55271"),
    ("Dewi Lestari", "dewi.lestari", "Jl. Dago No. 101", "Lebakgede", "Coblong", "", "Kota Bandung", "40132"),
    ("Kadek Ayu", "kadek.ayu", "Jl. Teuku Umar No. 45", "Dauh Puri", "Denpasar Barat", "", "Kota Denpasar", "80113"),
    ("Putri Ramadhani", "putri.r", "Jl. Pemuda No. 21", "Sekayu", "Semarang Tengah", "", "Kota Semarang", "50132"),
    ("Bambang Irawan", "bambang.i", "Dsn. Jambewangi RT 01/RW 03", "Jambewangi", "Selopuro", "35.05",
     "Kabupaten Blitar", "66184"),
)
# How likely each guest is to come back: the first few are regulars.
_GUEST_WEIGHTS = (8, 6, 5, 4, 3, 3, 2, 3, 2, 2, 2, 1, 2, 1, 1, 1, 1, 1)
_REVIEWS = (
    (5, "Barangnya bagus, sesuai foto. Terima kasih, Bu!"),
    (5, "Pengiriman cepat dan dibungkus rapi. Langganan!"),
    (5, "Rasanya enak, keluarga suka semua."),
    (4, "Bagus, hanya pengirimannya agak lama."),
    (5, "Kualitas mantap, harga pas untuk produk buatan tangan."),
    (4, "Sesuai pesanan. Semoga makin laris."),
    (3, "Lumayan, ukurannya sedikit lebih kecil dari perkiraan."),
    (5, "Segar sekali, baru dipanen pagi ini."),
    (4, ""),
    (5, ""),
)
_CANCEL_REASONS = ("Salah pilih barang, mau pesan ulang.", "Tidak jadi, sudah beli di pasar.")
_SOLD_OUT_REASON = "Maaf, stok habis karena panen gagal."
_REFUND_REASON = "Satu barang rusak saat pengiriman; sebagian dana dikembalikan."


@dataclass
class _OrderPlan:
    at: datetime
    fate: str           # the state the order is left in (see _FATES)
    method: PaymentMethod
    guest: int | None   # index into DEMO_GUESTS, None for the demo buyer


# Older orders mostly finished; the open states only make sense in the last days.
_OLD_FATES = (("completed", 70), ("cancelled", 5), ("expired", 5), ("sold_out", 3), ("partial_refund", 3),
              ("delivered", 2))
_RECENT_FATES = ("awaiting", "awaiting", "paid", "paid", "packing", "packing", "shipped", "shipped", "shipped",
                 "ready", "ready", "delivered", "delivered", "completed", "expired", "cancelled")


def _plan_orders(rng: random.Random, count: int, now: datetime) -> list[_OrderPlan]:
    """When each order is placed, how it is paid, by whom, and where it ends up; oldest first."""
    recent = min(len(_RECENT_FATES), count)
    fates = list(_RECENT_FATES[:recent])
    old_names, old_weights = zip(*_OLD_FATES)
    old = [rng.choices(old_names, old_weights)[0] for _ in range(count - recent)]
    # Make sure every finished state appears at least once however small the count.
    for i, fate in enumerate(("cancelled", "expired", "sold_out", "partial_refund")):
        if i < len(old) and fate not in old:
            old[-1 - i] = fate
    plans = []
    for fate in old:
        at = now - timedelta(days=rng.uniform(14, ORDER_HISTORY_DAYS))
        plans.append(_OrderPlan(at.replace(microsecond=0), fate, PaymentMethod.CASH, None))
    for i, fate in enumerate(fates):
        hours = rng.uniform(2, 18) if fate == "awaiting" else rng.uniform(30 + 12 * i, 60 + 12 * i)
        plans.append(_OrderPlan((now - timedelta(hours=hours)).replace(microsecond=0), fate, PaymentMethod.CASH, None))
    for plan in plans:
        online_only = plan.fate in ("awaiting", "expired", "sold_out", "partial_refund")
        if online_only:
            plan.method = PaymentMethod.TRANSFER if plan.fate != "expired" or rng.random() < 0.7 \
                else PaymentMethod.CARD
            if plan.fate == "awaiting":
                plan.method = PaymentMethod.TRANSFER  # an unpaid card checkout expires within half an hour
        else:
            plan.method = rng.choices((PaymentMethod.TRANSFER, PaymentMethod.CASH, PaymentMethod.CARD), (45, 35, 20))[0]
        plan.guest = None if rng.random() < 0.3 else rng.choices(range(len(DEMO_GUESTS)), _GUEST_WEIGHTS)[0]
    plans.sort(key=lambda p: p.at)
    return plans


@dataclass
class _Offer:
    """What the demo needs to know about a product that can be ordered."""

    id: int
    seller_id: int
    price: int
    unit: str
    published_at: datetime


@dataclass(frozen=True)
class _DeliveryOffer:
    pickup: bool
    local: bool
    courier_by_zone: dict

    @classmethod
    def of(cls, settings: DeliverySettings) -> _DeliveryOffer:
        courier = settings.offers_courier
        return cls(settings.offers_pickup, settings.offers_local_delivery,
                   {"blitar": courier and settings.courier_fee_blitar > 0,
                    "jatim": courier and settings.courier_fee_jatim > 0,
                    "indonesia": courier and settings.courier_fee_indonesia > 0})


def add_demo_orders(session: Session, rng: random.Random, *, count: int, now: datetime, buyer: User,
                    officer: User, expiry_minutes: dict | None = None) -> tuple[int, int]:
    """Place and move `count` orders through the real services; returns (orders placed, reviews)."""
    expiry_minutes = expiry_minutes or {PaymentMethod.CARD: 30, PaymentMethod.TRANSFER: 24 * 60}
    rows = session.execute(
        select(Product.id, Product.seller_id, Product.price, Product.unit,
               Product.published_at, Product.stock)
        .join(Product.seller)
        .where(Product.status == ProductStatus.PUBLISHED, SellerProfile.status == SellerStatus.APPROVED)
        .order_by(Product.id)
    ).all()
    if not rows or count <= 0:
        return 0, 0
    offers = [_Offer(r.id, r.seller_id, r.price, r.unit, r.published_at) for r in rows]
    stock_left = {r.id: r.stock for r in rows}
    # A plain snapshot: the services commit after every step, which would expire ORM objects.
    settings = {sid: _DeliveryOffer.of(checkout.delivery_settings_for(session, sid))
                for sid in {o.seller_id for o in offers}}
    buyer_id, buyer_name, buyer_email, buyer_phone = buyer.id, buyer.name, buyer.email, buyer.phone
    officer_id = officer.id
    placed = reviews = 0
    for plan in _plan_orders(rng, count, now):
        order_id = _place_demo_order(session, rng, plan, offers, stock_left, settings, expiry_minutes,
                                     (buyer_id, buyer_name, buyer_email, buyer_phone))
        if order_id is None:
            continue
        placed += 1
        reviews += _live_demo_order(session, rng, plan, order_id, stock_left, officer_id, now)
    _settle_updated_at(session)
    return placed, reviews


def _place_demo_order(session, rng, plan, offers, stock_left, settings, expiry_minutes, demo_buyer) -> int | None:
    if plan.guest is None:
        buyer_id, name, email, phone = demo_buyer
        street, desa, kecamatan, regency, regency_name, postal = DEMO_BUYER_ADDRESS
    else:
        name, user_part, street, desa, kecamatan, regency, regency_name, postal = DEMO_GUESTS[plan.guest]
        buyer_id, email = None, f"{user_part}@example.id"
        phone = f"+6285{700_000_000 + plan.guest * 1_234_567:09d}"
    address = checkout.Address(recipient_name=name, street=street, desa=desa, kecamatan=kecamatan,
                               regency_code=regency, regency_name=regency_name, postal_code=postal)
    zone = address.zone
    if plan.fate == "ready":
        wanted = DeliveryMethod.PICKUP
    elif zone.value != "blitar":
        wanted = DeliveryMethod.COURIER
    elif plan.method == PaymentMethod.CASH:
        wanted = rng.choice((DeliveryMethod.PICKUP, DeliveryMethod.LOCAL))
    elif plan.fate == "shipped":
        wanted = rng.choice((DeliveryMethod.COURIER, DeliveryMethod.COURIER, DeliveryMethod.LOCAL))
    else:
        wanted = rng.choice((DeliveryMethod.PICKUP, DeliveryMethod.LOCAL, DeliveryMethod.COURIER))
    if plan.method == PaymentMethod.CASH and wanted == DeliveryMethod.COURIER:
        plan.method = PaymentMethod.TRANSFER  # cash is paid on delivery or at pickup

    def offered(seller_id: int) -> bool:
        offer = settings[seller_id]
        if wanted == DeliveryMethod.PICKUP:
            return offer.pickup
        if wanted == DeliveryMethod.LOCAL:
            return offer.local
        return offer.courier_by_zone[zone.value]

    candidates = [o for o in offers if o.published_at is not None and o.published_at <= plan.at
                  and stock_left[o.id] >= 1 and offered(o.seller_id)]
    if not candidates:
        return None
    first = rng.choice(candidates)
    sellers = [first.seller_id]
    if rng.random() < 0.2:  # a basket from two producers: one order, two parts
        others = [o for o in candidates if o.seller_id != first.seller_id]
        if others:
            sellers.append(rng.choice(others).seller_id)
    lines: dict[int, int] = {}
    for seller_id in sellers:
        own = [o for o in candidates if o.seller_id == seller_id]
        picked = [first] if seller_id == first.seller_id else []
        picked += rng.sample(own, k=min(len(own), rng.choice((0, 0, 1, 2))))
        for offer in picked:
            most = 5 if offer.unit in ("kg", "ikat") else 3
            quantity = min(stock_left[offer.id], rng.randint(1, most))
            if quantity >= 1:
                lines[offer.id] = quantity
    by_id = {o.id: o for o in candidates}
    try:
        order = checkout.place_order(
            session, [checkout.CartLine(pid, qty, by_id[pid].price) for pid, qty in lines.items()],
            buyer=checkout.Buyer(name=name, email=email, phone=phone, user_id=buyer_id),
            address=address, deliveries={sid: wanted for sid in sellers}, payment_method=plan.method,
            expiry_minutes=expiry_minutes, now=plan.at,
        )
    except checkout.CheckoutRefused:
        return None
    for pid, qty in lines.items():
        stock_left[pid] -= qty
    return order.id


def _live_demo_order(session, rng, plan, order_id, stock_left, officer_id, now) -> int:
    """Move a placed order to its planned state with the services; returns how many reviews it got."""
    order = session.get(Order, order_id)
    method, fate = order.payment_method, plan.fate
    buyer_actor = order.buyer_id
    clock = [plan.at]

    def later(low: float, high: float) -> datetime:
        """The next step's time: some hours after the last one, never after `now`."""
        step = timedelta(hours=rng.uniform(low, high))
        clock[0] = min(clock[0] + step, now - timedelta(minutes=5))
        return clock[0].replace(microsecond=0)

    if fate == "awaiting":
        return 0
    if fate == "expired":
        orders.expire_orders(session, now=order.expires_at + timedelta(minutes=1))
        _release(order, stock_left)
        return 0
    if fate == "cancelled" and method != PaymentMethod.CASH:
        when = later(0.5, 6)
        for part in list(order.parts):
            orders.advance_part(session, part.id, PartStatus.CANCELLED, actor_role=BUYER, actor_id=buyer_actor,
                                note=rng.choice(_CANCEL_REASONS), now=when)
        _release(order, stock_left)
        return 0
    if method == PaymentMethod.TRANSFER:
        when = later(1, 20)
        with _backdated(session, when):
            payments.confirm_transfer(session, order, actor_id=officer_id, actor_role=OFFICER, now=when)
    elif method == PaymentMethod.CARD:
        # As the Stripe webhook would: the system confirms a few minutes after checkout.
        orders.confirm_payment(session, order.id, actor_id=None, actor_role=SYSTEM, now=later(0.02, 0.1))
    session.refresh(order)
    if fate in ("cancelled", "sold_out"):
        when = later(2, 30)
        for part in list(order.parts):
            reason = rng.choice(_CANCEL_REASONS) if fate == "cancelled" else _SOLD_OUT_REASON
            actor_role, actor_id = (BUYER, buyer_actor) if fate == "cancelled" else (SELLER, part.seller.user_id)
            # payments.cancel_part, step by step, so that each step carries its time.
            orders.advance_part(session, part.id, PartStatus.CANCELLED, actor_role=actor_role, actor_id=actor_id,
                                note=reason, now=when)
            if part.payment_confirmed_at is not None and method != PaymentMethod.CASH:
                amount = sum(line.value for line in part.lines) + part.delivery_fee
                with _backdated(session, when):
                    payments.refund_part(session, part, amount=amount, actor_id=officer_id,
                                         settings=_NO_STRIPE, reason=reason)
        _release(order, stock_left)
        return 0
    review_count = 0
    target = {"paid": 0, "packing": 1, "shipped": 2, "ready": 2, "delivered": 3}.get(fate, 4)
    for part in list(order.parts):
        seller_id = part.seller.user_id
        pickup = part.delivery_method == DeliveryMethod.PICKUP
        if target >= 1:
            orders.advance_part(session, part.id, PartStatus.PACKING, actor_role=SELLER, actor_id=seller_id,
                                now=later(2, 20))
        if target >= 2:
            if pickup:
                orders.advance_part(session, part.id, PartStatus.READY_FOR_PICKUP, actor_role=SELLER,
                                    actor_id=seller_id, now=later(2, 24))
            elif part.delivery_method == DeliveryMethod.COURIER:
                courier = rng.choice(("JNE", "J&T"))
                resi = (f"JNE{rng.randrange(10**11, 10**12)}" if courier == "JNE"
                        else f"JP{rng.randrange(10**9, 10**10)}")
                orders.advance_part(session, part.id, PartStatus.SHIPPED, actor_role=SELLER, actor_id=seller_id,
                                    courier_name=courier, tracking_number=resi, now=later(4, 30))
            else:
                orders.advance_part(session, part.id, PartStatus.SHIPPED, actor_role=SELLER, actor_id=seller_id,
                                    courier_name="self", now=later(2, 24))
        if target >= 3:
            when = later(6, 60) if part.delivery_method == DeliveryMethod.COURIER else later(1, 24)
            if method == PaymentMethod.CASH:
                orders.record_cash_received(session, part.id, actor_id=seller_id, now=when)
            orders.advance_part(session, part.id, PartStatus.DELIVERED, actor_role=SELLER, actor_id=seller_id,
                                now=when)
        if target >= 4:
            if buyer_actor is not None or rng.random() < 0.5:
                orders.advance_part(session, part.id, PartStatus.COMPLETED, actor_role=BUYER, actor_id=buyer_actor,
                                    now=later(2, 48))
            else:  # guests often never press "received": the system completes it later
                orders.advance_part(session, part.id, PartStatus.COMPLETED, actor_role=SYSTEM, actor_id=None,
                                    now=later(72, 100))
            if fate == "partial_refund" and part is order.parts[0]:
                line = max(part.lines, key=lambda line: line.value)
                amount = max(1_000, line.unit_price // 2)
                with _backdated(session, later(6, 48)):
                    payments.refund_part(session, part, amount=amount, actor_id=officer_id, settings=_NO_STRIPE,
                                         reason=_REFUND_REASON)
            elif fate == "completed":
                for line in part.lines:
                    if rng.random() < 0.6:
                        rating, body = rng.choice(_REVIEWS)
                        review = reviews.add_review(session, line, rating=rating, body=body,
                                                    author_name=order.buyer_name, buyer_id=order.buyer_id)
                        review.created_at = later(4, 96)
                        session.commit()
                        review_count += 1
    return review_count


def _release(order, stock_left: dict[int, int]) -> None:
    """Mirror the stock the services gave back (cancelled or expired parts)."""
    for part in order.parts:
        for line in part.lines:
            if line.product_id in stock_left:
                stock_left[line.product_id] += line.quantity


class _backdated:
    """Move the events, ledger and audit rows written inside the block (stamped with the wall clock
    by services that take no `now`) back to `when`. They are history, not state."""

    def __init__(self, session: Session, when: datetime):
        self.session, self.when = session, when

    def _marks(self) -> dict:
        return {model: self.session.scalar(select(func.coalesce(func.max(model.id), 0)))
                for model in (OrderEvent, LedgerEntry, AuditLog)}

    def __enter__(self):
        self.before = self._marks()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        for model, last in self.before.items():
            self.session.execute(update(model).where(model.id > last).values(created_at=self.when)
                                 .execution_options(synchronize_session=False))
        self.session.commit()
        return False


def _settle_updated_at(session: Session) -> None:
    """Each part was last updated at its last event, not when the demo was loaded."""
    last_event = (select(func.max(OrderEvent.created_at)).where(OrderEvent.seller_order_id == SellerOrder.id)
                  .scalar_subquery())
    session.execute(update(SellerOrder).values(updated_at=last_event).execution_options(synchronize_session=False))
    session.commit()


# The demo never refunds card payments, so Stripe is never called.
_NO_STRIPE = payments.StripeSettings(secret_key=None, publishable_key=None, webhook_secret=None, api_base="",
                                     minimum_amount=10_000)
