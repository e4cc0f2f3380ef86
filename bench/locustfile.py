"""Simulated people for bench_load (run by locust, headless, from bench/bench_load.py).

LOAD_DATA names a JSON file of product slugs, categories, searches and orderable products.
The user class named on locust's command line chooses who arrives:
  Shopper - a person with think time: home, listing, search, product, add to cart,
            and now and then a checkout by bank transfer;
  ListingReader, ProductReader, CeilingReader - one page type as fast as the server
            answers (for throughput against the static ceiling). ProductReader asks for
            products as often as shoppers look at them: a few much more than the rest
            (Zipf: the k-th most popular of the sample 1/k as often as the first);
  FirstVisitReader - product pages nobody asked for before in the run (never in the cache).
CACHE_COUNTS, when set, names a JSON file that receives how many answers were page-cache hits.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections import Counter

from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

DATA = json.loads(open(os.environ["LOAD_DATA"], encoding="utf-8").read())
POPULARITY = list(itertools.accumulate(1 / rank for rank in range(1, len(DATA["products"]) + 1)))
UNVISITED = iter(DATA["unvisited"])
CACHE_ANSWERS: Counter = Counter()
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
DELIVERY = re.compile(r'name="(delivery-\d+)" value="([a-z]+)"')


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return (match.group(1) or match.group(2)) if match else ""


def _listing_url() -> str:
    category = random.choice(DATA["categories"])
    return f"/kategori/{category}?page={random.randint(1, 3)}"


class Shopper(FastHttpUser):
    """A person on a phone browsing and sometimes buying; waits 1-3 s between pages."""

    wait_time = between(1, 3)

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(4)
    def listing(self):
        self.client.get(_listing_url(), name="listing")

    @task(4)
    def search(self):
        self.client.get("/cari", params={"q": random.choice(DATA["searches"])}, name="search")

    @task(5)
    def product(self):
        self.client.get(f"/produk/{random.choice(DATA['products'])}", name="product")

    @task(1)
    def add_to_cart(self):
        self._add_to_cart()

    @task(1)
    def checkout_by_transfer(self):
        if not self._add_to_cart():
            return
        page = self.client.get("/pesanan/checkout", name="checkout contact")
        token = _csrf(page.text or "")
        contact = {"csrf_token": token, "name": "Pembeli Uji", "email": f"beban{random.randint(1, 10**9)}@contoh.id",
                   "phone": "081234567890", "region": "35.05", "kecamatan": "Kanigoro", "street": "Jl. Mawar 1"}
        self.client.post("/pesanan/checkout", data=contact, name="checkout contact (post)")
        page = self.client.get("/pesanan/checkout/pengiriman", name="checkout delivery")
        html = page.text or ""
        form = {"csrf_token": _csrf(html), "payment_method": "transfer", "action": "place"}
        for field, value in DELIVERY.findall(html):
            form.setdefault(field, value)
        with self.client.post("/pesanan/checkout/pengiriman", data=form, name="checkout place (transfer)",
                              catch_response=True) as response:
            if "/o/" not in (response.url or ""):
                response.failure(f"order not placed (status {response.status_code})")

    def _add_to_cart(self) -> bool:
        slug, product_id = random.choice(DATA["orderable"])
        page = self.client.get(f"/produk/{slug}", name="product")
        token = _csrf(page.text or "")
        response = self.client.post("/pesanan/keranjang/tambah", data={"csrf_token": token, "product_id": product_id,
                                                               "quantity": 1}, name="add to cart")
        return response.status_code < 400


def _read(client, url: str, name: str) -> None:
    response = client.get(url, name=name)
    CACHE_ANSWERS[response.headers.get("X-Page-Cache") or "not cached"] += 1


@events.quitting.add_listener
def _save_cache_answers(environment, **_kwargs) -> None:
    if os.environ.get("CACHE_COUNTS"):
        with open(os.environ["CACHE_COUNTS"], "w", encoding="utf-8") as handle:
            json.dump(CACHE_ANSWERS, handle)


class ListingReader(FastHttpUser):
    wait_time = constant(0)

    @task
    def listing(self):
        _read(self.client, _listing_url(), "listing")


class ProductReader(FastHttpUser):
    wait_time = constant(0)

    @task
    def product(self):
        slug = random.choices(DATA["products"], cum_weights=POPULARITY)[0]
        _read(self.client, f"/produk/{slug}", "product")


class FirstVisitReader(FastHttpUser):
    wait_time = constant(0)

    @task
    def product(self):
        slug = next(UNVISITED, None)
        if slug is None:      # every sample visited once: a longer run needs a larger sample
            raise StopUser()
        _read(self.client, f"/produk/{slug}", "product, first visit")


class CeilingReader(FastHttpUser):
    wait_time = constant(0)

    @task
    def ceiling(self):
        self.client.get("/bench-ceiling.html", name="static page (ceiling)")
