"""Public pages: home, listings and search, product and producer pages, sitemap and feeds."""
from __future__ import annotations

import json
from datetime import datetime
from math import ceil
from xml.sax.saxutils import escape

import click
from flask import (
    Blueprint, Response, abort, current_app, get_template_attribute, jsonify, redirect, render_template, request,
    stream_with_context, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from marketplace.auth.decorators import officer_required
from marketplace.catalog.forms import ListingForm
from marketplace.extensions import db
from marketplace.formatting import format_rupiah, whatsapp_link
from marketplace.i18n import current_language
from marketplace.models import Category, SellerProfile
from marketplace.page_cache import cached_fragment
from marketplace.regions import KECAMATAN_BY_CODE
from marketplace.services import catalog, feeds, search
from marketplace.templating import image_url

bp = Blueprint("catalog", __name__, cli_group=None)

RELATED_COUNT = 4
LISTING_ARGS = ("q", "category", "kecamatan", "tag", "price_min", "price_max", "in_stock", "sort")


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link on the configured SITE_URL (never on the request's Host header)."""
    return current_app.config["SITE_URL"].rstrip("/") + url_for(endpoint, **values)


def absolute_image_url(image, width: int = 800) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + image_url(image, width)


def _may_preview(producer: SellerProfile | catalog.ProductSeller) -> bool:
    """Producers see their own unpublished things, officers everyone's."""
    return current_user.is_authenticated and (current_user.is_officer or producer.user_id == current_user.id)


def _page_number() -> tuple[int, str | None]:
    raw = request.args.get("page", "1").strip()
    if not raw.isdecimal() or int(raw) < 1:   # isdigit() would let "²" through to int()
        return 1, _("There is no page %(page)s; showing the first page.", page=raw[:20])
    return min(int(raw), catalog.MAX_PAGE), None


def _page_url(page: int) -> str:
    """This listing's URL with every filter kept and another page number."""
    args = {key: request.args.getlist(key) for key in LISTING_ARGS if request.args.getlist(key)}
    if page > 1:
        args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _filters(form: ListingForm, categories: list[Category], tags, category: Category | None) -> catalog.ListingFilters:
    """Filters from the valid fields only: a bad value is reported and ignored, never fatal."""
    def ok(field) -> bool:
        return not field.errors

    root = category
    if root is None and ok(form.category) and form.category.data:
        root = next((c for c in categories if c.slug == form.category.data), None)
    tag_ids = tuple(t.id for t in tags if t.slug in (form.tag.data or [])) if ok(form.tag) else ()
    q = (form.q.data or "").strip()
    sort = form.sort.data if ok(form.sort) and form.sort.data in catalog.SORTS else ""
    return catalog.ListingFilters(
        q=q,
        category_ids=catalog.category_with_descendants(categories, root) if root else (),
        kecamatan_code=form.kecamatan.data if ok(form.kecamatan) and form.kecamatan.data else None,
        tag_ids=tag_ids,
        price_min=form.price_min.data if ok(form.price_min) else None,
        price_max=form.price_max.data if ok(form.price_max) and ok(form.price_min) else None,
        in_stock=bool(form.in_stock.data),
        sort=sort or ("relevance" if q else "newest"),
    )


def _listing(template_title: str, description: str, *, category: Category | None = None,
             categories: list[Category] | None = None, search_page: bool = False):
    locale = current_language()
    categories = categories if categories is not None else catalog.all_categories(db.session)
    tags = catalog.all_tags(db.session)
    form = ListingForm(formdata=request.args, categories=categories, tags=tags, locale=locale)
    form.validate()
    page_number, page_error = _page_number()
    filters = _filters(form, categories, tags, category)
    if not form.sort.data or form.sort.errors:
        form.sort.data = filters.sort
    result = catalog.list_products(db.session, filters, page_number, current_app.config["PER_PAGE"])
    if result.out_of_range:
        return redirect(_page_url(result.pages))
    filtered = any(request.args.getlist(key) for key in LISTING_ARGS if key != "sort")
    status = 400 if form.errors or page_error else 200
    canonical_args = {"page": result.page} if result.page > 1 else {}
    return render_template(
        "catalog/listing.html", form=form, result=result, filters=filters, category=category,
        categories=categories, page_url=_page_url, page_error=page_error, title=template_title,
        description=description, search_page=search_page, filtered=filtered,
        canonical=absolute_url(request.endpoint, **(request.view_args or {}), **canonical_args),
        noindex=search_page or filtered or status != 200,
    ), status


@bp.route("/")
def home():
    newest, popular = catalog.home_products(db.session)
    categories = [c for c in catalog.all_categories(db.session) if c.parent_id is None]
    return render_template(
        "catalog/home.html", products=newest, popular=popular, categories=categories,
        producers=catalog.featured_producers(db.session), canonical=absolute_url("catalog.home"),
    )


@bp.route("/produk")
def products():
    return _listing(_("All products"), _("Every product from the producers of Blitar, with filters by category, "
                                           "price, kecamatan and label."))


@bp.route("/cari")
def search_results():
    q = (request.args.get("q") or "").strip()
    title = _("Search results for “%(q)s”", q=q[:60]) if q else _("Search")
    return _listing(title, _("Search the products of the producers of Blitar."), search_page=True)


@bp.route("/kategori/<slug>")
def category(slug: str):
    categories = catalog.all_categories(db.session)
    found = next((c for c in categories if c.slug == slug), None)
    if found is None:
        abort(404, _("This category does not exist (any more)."))
    name = found.name(current_language())
    return _listing(name, _("%(category)s from the producers of Blitar, East Java.", category=name),
                    category=found, categories=categories)


@bp.route("/cari/saran")
def suggest():
    """Search suggestions while typing, as JSON; the search form works without them."""
    q = request.args.get("q") or ""
    if len(q) > search.MAX_QUERY_LENGTH:
        return jsonify(error=_("Search with at most %(max)d characters.", max=search.MAX_QUERY_LENGTH),
                       suggestions=[]), 400
    found = catalog.suggestions(db.session, q)
    return jsonify(query=q, suggestions=[
        {"name": p.name, "url": url_for("catalog.product", slug=p.slug), "price": format_rupiah(p.price)}
        for p in found
    ])


def _product_json_ld(product, product_url: str, reviews: catalog.ReviewSummary) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description or product.name,
        "sku": f"PLB-{product.id}",
        "url": product_url,
        "image": [absolute_image_url(photo) for photo in product.photos],
        "brand": {"@type": "Brand", "name": product.seller.shop_name},
        "offers": {
            "@type": "Offer",
            "url": product_url,
            "price": product.price,
            "priceCurrency": "IDR",
            "availability": "https://schema.org/InStock" if product.stock > 0 else "https://schema.org/OutOfStock",
            "seller": {"@type": "Organization", "name": product.seller.shop_name},
        },
    }
    if product.category is not None:
        data["category"] = product.category.name(current_language())
    if reviews.count:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": reviews.average,
                                   "reviewCount": reviews.count}
    return data


@bp.route("/produk/<slug>")
def product(slug: str):
    found, reviews = catalog.product_page(db.session, slug) or (None, None)
    if found is None or not (catalog.is_public(found) or _may_preview(found.seller)):
        abort(404, _("This product does not exist or is not for sale any more."))
    producer = found.seller
    product_url = absolute_url("catalog.product", slug=found.slug)
    whatsapp = None
    if producer.whatsapp:
        whatsapp = whatsapp_link(producer.whatsapp, _(
            "Hello %(shop)s, I am interested in %(product)s (%(price)s) on Pasar Lokal Blitar: %(url)s",
            shop=producer.shop_name, product=found.name, price=format_rupiah(found.price), url=product_url))
    return render_template(
        "catalog/product.html", product=found, producer=producer, reviews=reviews, related=_related_cards(found),
        producer_box=_producer_box(producer.id), whatsapp=whatsapp, canonical=product_url,
        is_public=catalog.is_public(found), json_ld=_product_json_ld(found, product_url, reviews),
        og_image=absolute_image_url(found.cover) if found.cover else None,
    )


def _producer_box(seller_id: int) -> Markup:
    """The box presenting the producer, shared by their product pages (page_cache.cached_fragment)."""

    def render() -> str:
        box = catalog.producer_box(db.session, seller_id)
        if box is None:
            return ""
        return render_template("catalog/_producer_box.html", producer=box,
                               training=catalog.distinct_names(box.training_types, current_language()))

    return Markup(cached_fragment("producer-box", str(seller_id), render))


def _related_cards(product: catalog.ProductDetails) -> list[Markup]:
    """Cards of up to RELATED_COUNT other products of its category (else its producer), newest first.

    Every product of a category shows the same few cards, so they are rendered once per
    catalogue version (page_cache.cached_fragment) and each page leaves its own product out.
    """
    group = catalog.related_group(product)

    def render() -> str:
        card = get_template_attribute("catalog/_product_cards.html", "product_card")
        candidates = catalog.related_candidates(db.session, group, RELATED_COUNT + 1)
        return json.dumps([[candidate.id, str(card(candidate))] for candidate in candidates])

    cards = json.loads(cached_fragment("related", f"{group[0]}:{group[1]}", render))
    return [Markup(html) for product_id, html in cards if product_id != product.id][:RELATED_COUNT]


@bp.route("/toko/<slug>")
def producer(slug: str):
    found = catalog.producer_by_slug(db.session, slug)
    if found is None or not (found.is_public or _may_preview(found)):
        abort(404, _("This shop does not exist or is closed."))
    page_number, page_error = _page_number()
    result = catalog.list_products(db.session, catalog.ListingFilters(seller_id=found.id), page_number,
                                   current_app.config["PER_PAGE"])
    if result.out_of_range:
        return redirect(url_for("catalog.producer", slug=slug, page=result.pages))
    shop_url = absolute_url("catalog.producer", slug=found.slug)
    whatsapp = None
    if found.whatsapp:
        whatsapp = whatsapp_link(found.whatsapp, _("Hello %(shop)s, I found your shop on Pasar Lokal Blitar: %(url)s",
                                                   shop=found.shop_name, url=shop_url))
    return render_template(
        "catalog/producer.html", producer=found, result=result, whatsapp=whatsapp, page_error=page_error,
        page_url=lambda n: url_for("catalog.producer", slug=slug, **({"page": n} if n > 1 else {})),
        canonical=shop_url, training=catalog.training_names(found, current_language()),
        og_image=absolute_image_url(found.photo) if found.photo else None,
        kecamatan=KECAMATAN_BY_CODE.get(found.kecamatan_code or ""),
    ), 400 if page_error else 200


# ---- discoverability ------------------------------------------------------------------------

def _xml(chunks) -> Response:
    """Sitemaps are built whole (at most SITEMAP_CHUNK URLs); feeds stream."""
    if isinstance(chunks, list):
        return Response("".join(chunks), mimetype="application/xml")
    return Response(stream_with_context(chunks), mimetype="application/xml")


def _lastmod(moment: datetime | None) -> str:
    return f"<lastmod>{moment.date().isoformat()}</lastmod>" if moment else ""


@bp.route("/sitemap.xml")
def sitemap_index():
    chunks = max(1, ceil(catalog.public_product_count(db.session) / catalog.SITEMAP_CHUNK))
    locations = [absolute_url("catalog.sitemap_pages")] + [
        absolute_url("catalog.sitemap_products", chunk=n) for n in range(1, chunks + 1)]

    def generate():
        yield '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        for location in locations:
            yield f"<sitemap><loc>{escape(location)}</loc></sitemap>\n"
        yield "</sitemapindex>\n"

    return _xml(list(generate()))


_URLSET = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


@bp.route("/sitemap-halaman.xml")
def sitemap_pages():
    categories = catalog.all_categories(db.session)
    producers = catalog.sitemap_producers(db.session)

    def generate():
        yield _URLSET
        for location in [absolute_url("catalog.home"), absolute_url("catalog.products")]:
            yield f"<url><loc>{escape(location)}</loc></url>\n"
        for category_ in categories:
            yield f"<url><loc>{escape(absolute_url('catalog.category', slug=category_.slug))}</loc></url>\n"
        for slug, updated in producers:
            yield f"<url><loc>{escape(absolute_url('catalog.producer', slug=slug))}</loc>{_lastmod(updated)}</url>\n"
        yield "</urlset>\n"

    return _xml(list(generate()))


@bp.route("/sitemap-produk-<int:chunk>.xml")
def sitemap_products(chunk: int):
    if chunk < 1:
        abort(404)
    rows = catalog.sitemap_products(db.session, chunk - 1)
    if not rows and chunk > 1:
        abort(404)

    def generate():
        yield _URLSET
        for slug, updated in rows:
            yield f"<url><loc>{escape(absolute_url('catalog.product', slug=slug))}</loc>{_lastmod(updated)}</url>\n"
        yield "</urlset>\n"

    return _xml(list(generate()))


@bp.route("/robots.txt")
def robots():
    lines = ["User-agent: *"]
    for prefix in ("/akun/", "/penjual/", "/pesanan/", "/petugas/", "/cari", "/feed/produk.csv", "/bahasa"):
        lines.append(f"Disallow: {prefix}")
    lines += ["Allow: /", "", f"Sitemap: {absolute_url('catalog.sitemap_index')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


# ---- feeds ----------------------------------------------------------------------------------

def _feed_links() -> feeds.FeedLinks:
    return feeds.FeedLinks(product_url=lambda slug: absolute_url("catalog.product", slug=slug),
                           image_url=absolute_image_url)


@bp.route("/feed/google-merchant.xml")
def feed_google():
    """Published, in-stock products in Google Merchant Center's RSS 2.0 format."""
    chunks = feeds.google_merchant_rss(
        feeds.feed_products(db.session), _feed_links(), title=current_app.config["SITE_NAME"],
        site_url=absolute_url("catalog.home"),
        description=_("Products of the producers of Blitar, East Java."),
    )
    return _xml(chunks)


@bp.route("/feed/produk.csv")
@officer_required
def feed_csv():
    """The same products as a marketplace bulk-upload CSV, for programme officers."""
    chunks = feeds.bulk_upload_csv(feeds.feed_products(db.session), _feed_links())
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="pasar-lokal-blitar-produk-{datetime.now().strftime("%Y%m%d")}.csv"')
    return response


@bp.cli.command("search-reindex")
def search_reindex_command() -> None:
    """Rebuild the product search index from the products table."""
    written = search.rebuild_search_index(db.session)
    search.refresh_statistics(db.session)
    click.echo(f"Indexed {written} public products.")
