"""Whole-page cache for visitors who are not logged in: home, listings, search, product and shop pages.

These pages are most of the traffic and are the same for every anonymous visitor but for the
CSRF token in their forms and the cart link in the header: both are stored as placeholders and
filled in per visitor (the cart's count comes from the guest's session). A visitor with anything
else of their own in the session (a message to show, a checkout in progress) or logged in always
gets a freshly rendered page.

Exact, not merely short-lived: each page is stored under the *catalogue version* read before it
was rendered, and any committed transaction that wrote to a table these pages read
(CATALOG_TABLES, or a statement whose table can't be told) increments the version once the
commit is done, so a page rendered from older data is never served again. Writes are seen at the
SQL level in every session (ORM flush, bulk UPDATE, `flask restore` alike; marketplace/database.py).
Product pages, the only ones that show a stock level, are also kept under a *stock version*, moved
instead of the catalogue version by a change of stock levels alone (services.stock.STOCK_LEVELS: an
order or a cancellation that neither empties a product nor refills it from zero), so ordering does
not throw away listings, search results and the home page.
PAGE_CACHE_SECONDS bounds what the app cannot see (SQL typed by hand on the database, a deploy
with new templates).

Storage: Redis when REDIS_URL is set, shared by all app processes (version and pages), and each
process keeps the pages it served last in its memory, trusted for as long as Redis announces no
new version (see RedisStore). Without Redis the cache is off unless PAGE_CACHE_SECONDS is set,
and then lives in one process's memory, which is exact only when one process serves and writes
(tests, a single `flask run`).
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, current_app, g, message_flashed, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.engine import Engine

from marketplace.database import on_commit
from marketplace.services.stock import STOCK_LEVELS

logger = logging.getLogger(__name__)

CACHED_ENDPOINTS = frozenset({
    "catalog.home", "catalog.products", "catalog.search_results", "catalog.category",
    "catalog.product", "catalog.producer",
})
# Every table the cached pages read (tests/test_page_cache.py checks this against their queries).
CATALOG_TABLES = frozenset({
    "products", "product_images", "images", "categories", "tags", "product_tags", "seller_profiles",
    "seller_cohorts", "cohorts", "training_types", "reviews", "search_documents", "search_fts",
})
# Session keys a page may be kept and served with: the language is part of the key, and the
# guest cart (orders.routes.GUEST_CART_KEY) shows only in the cart link, a visitor part. Any other
# key makes the page personal, except Flask-Login's "not fresh" mark on anonymous sessions.
NEUTRAL_SESSION_KEYS = frozenset({"csrf_token", "lang", "cart"})
NEUTRAL_WHEN_EMPTY = frozenset({"_fresh"})
MAX_CACHED_PATH = 512
CSRF_PLACEHOLDER = "\x00plb-csrf\x00"
HEADER = "X-Page-Cache"
# Pages that show a product's stock level, so also depend on the stock version (see `_catalogue_committed`).
STOCK_ENDPOINTS = frozenset({"catalog.product"})

# What a page was rendered from: (catalogue version,), or (catalogue version, stock version) for
# the pages of STOCK_ENDPOINTS.
Version = tuple[int, ...]

_STORES: weakref.WeakKeyDictionary[Engine, object] = weakref.WeakKeyDictionary()
# Parts of every page that belong to the visitor (name -> what renders them for the current one).
_VISITOR_PARTS: dict[str, Callable[[], str]] = {}


# ---- stores ------------------------------------------------------------------------------------

class _Memory:
    """Pages or parts by key in this process, each with the version it was rendered under and
    when it expires (seconds since the epoch, as in Redis); beyond `limit`, the least recently
    used are dropped first. Not locked: its store holds its own lock."""

    def __init__(self, limit: int):
        self.limit = limit
        self._entries: OrderedDict[str, tuple[Version, float, bytes]] = OrderedDict()

    def recall(self, key: str, version: Version) -> bytes | None:
        """What was kept for `key` under exactly `version` and has not expired, else None."""
        found = self._entries.get(key)
        if found is None or found[0] != version or found[1] <= time.time():
            return None
        self._entries.move_to_end(key)
        return found[2]

    def remember(self, key: str, version: Version, expires: float, body: bytes) -> None:
        self._entries[key] = (version, expires, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def forget(self, stock_only: bool = False) -> None:
        """Drop everything, or only the pages kept under a stock version too."""
        if not stock_only:
            self._entries.clear()
            return
        for key in [key for key, (version, _, _) in self._entries.items() if len(version) > 1]:
            del self._entries[key]


class LocalStore:
    """Versions and pages in this process's memory, least recently used pages dropped first."""

    def __init__(self, max_entries: int = 2_000):
        self._catalogue = 0
        self._stock = 0
        self._memory = _Memory(max_entries)
        self._lock = threading.Lock()

    def version(self) -> Version:
        """(catalogue version, stock version)."""
        return self._catalogue, self._stock

    def bump(self, stock_only: bool = False) -> None:
        with self._lock:
            if stock_only:
                self._stock += 1
            else:
                self._catalogue += 1
            self._memory.forget(stock_only)

    def _current(self, with_stock: bool) -> Version:
        return (self._catalogue, self._stock) if with_stock else (self._catalogue,)

    def lookup(self, key: str, with_stock: bool = False) -> tuple[Version, bytes | None]:
        """(the current version, the page kept under it for `key` or None); `with_stock` for a
        page that also shows stock levels."""
        with self._lock:
            version = self._current(with_stock)
            return version, self._memory.recall(key, version)

    def fragment(self, key: str, version: Version) -> str | None:
        """A part kept by `keep_fragment` under exactly `version`, else None."""
        with self._lock:
            found = self._memory.recall(key, version)
        return found.decode("utf-8") if found is not None else None

    def keep_fragment(self, key: str, version: Version, text: str, seconds: int) -> None:
        self.put(version, key, text.encode("utf-8"), seconds)

    def put(self, version: Version, key: str, body: bytes, seconds: int) -> None:
        with self._lock:
            if version == self._current(len(version) > 1):   # else rendered from data older than the last change
                self._memory.remember(key, version, time.time() + seconds, body)


class RedisStore:
    """Version and pages in Redis, shared by every app process, and the pages this process used
    last in its own memory, served without asking Redis while the version has not moved.

    How a process knows the version has not moved without asking: Redis tells it. A connection
    subscribed to Redis's invalidation channel receives a message whenever any process changes
    the version key (server-assisted client-side caching, CLIENT TRACKING in broadcast mode).
    Redis sends it in the same event-loop turn as its answer to the change, so it is waiting in
    this process's socket before the process that made the change has finished its request; each
    lookup reads what is waiting (a poll, no round trip) before trusting what it remembers.
    Without that connection (Redis restarting, an error) every lookup asks Redis, as before.

    In Redis a page is kept as "<catalogue>[.<stock>]:<expiry>:<body>" under its key and read with
    the current versions by one MGET: a page kept under an older version is a miss. A change of
    stock levels alone makes a process forget only the pages that show them. Pages expire on their own,
    here and in each process at the same moment.
    """

    INVALIDATIONS = "__redis__:invalidate"
    RETRY_SECONDS = 5.0

    def __init__(self, url: str, prefix: str, local_entries: int = 2_000):
        import redis

        self._pool = redis.ConnectionPool.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._redis = redis.Redis(connection_pool=self._pool)
        self._version_key = f"{prefix}:version"
        self._stock_key = f"{prefix}:version:stock"       # under the same prefix: announced alike
        self._page_prefix = f"{prefix}:page:"
        self._memory = _Memory(local_entries)
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._watch = None              # (subscribed connection, tracking connection) once started
        self._watch_from = 0.0          # when to try starting it again after a failure
        self._known_versions: Version | None = None     # (catalogue, stock) as last read
        self._forgotten = 0             # how many times `_forget` ran: a read older than the last is stale

    def version(self) -> Version:
        """(catalogue version, stock version)."""
        catalogue, stock = self._redis.mget(self._version_key, self._stock_key)
        return int(catalogue or 0), int(stock or 0)

    def bump(self, stock_only: bool = False) -> None:
        with self._lock:
            self._forget(stock_only)
        self._redis.incr(self._stock_key if stock_only else self._version_key)

    def lookup(self, key: str, with_stock: bool = False) -> tuple[Version, bytes | None]:
        with self._lock:
            known = self._unchanged_versions()
            if known is not None:
                version = known if with_stock else known[:1]
                remembered = self._memory.recall(key, version)
                if remembered is not None:
                    return version, remembered
            watch, forgotten = self._watch, self._forgotten
        catalogue, stock, kept = self._redis.mget(self._version_key, self._stock_key, self._page_prefix + key)
        versions = (int(catalogue or 0), int(stock or 0))
        version = versions if with_stock else versions[:1]
        body = None
        if kept is not None:
            kept_version, expires, kept_body = kept.split(b":", 2)
            body = kept_body if kept_version == _encoded(version) else None
        with self._lock:
            if watch is not None and watch is self._watch and forgotten == self._forgotten:
                # Read after the watch started, and no change announced meanwhile (by another
                # thread's poll): any later change will be announced.
                self._known_versions = versions
                if body is not None:
                    self._memory.remember(key, version, int(expires), body)
        return version, body

    def put(self, version: Version, key: str, body: bytes, seconds: int) -> None:
        expires = int(time.time()) + seconds
        self._redis.set(self._page_prefix + key, b"%s:%d:%s" % (_encoded(version), expires, body), ex=seconds)
        with self._lock:
            if self._still_known(version):
                self._memory.remember(key, version, expires, body)

    def fragment(self, key: str, version: Version) -> str | None:
        """A part kept by `keep_fragment` in this process under `version`, if Redis has announced
        no change since; else None. Parts are never sent to Redis: rendering one again costs less
        than the round trips for it."""
        with self._lock:
            self._unchanged_versions()
            remembered = self._memory.recall(key, version) if self._still_known(version) else None
        return remembered.decode("utf-8") if remembered is not None else None

    def keep_fragment(self, key: str, version: Version, text: str, seconds: int) -> None:
        with self._lock:
            if self._still_known(version):
                self._memory.remember(key, version, int(time.time()) + seconds, text.encode("utf-8"))

    def _still_known(self, version: Version) -> bool:
        """Whether `version` is what this process read last, with no change announced since."""
        known = self._known_versions
        return known is not None and version == known[:len(version)]

    # ---- knowing when the version moves (called with the lock held) ----

    def _unchanged_versions(self) -> Version | None:
        """The versions this process read last, as far as Redis has announced no change since:
        None if it has announced one of the catalogue, a stock version of None if of stock only."""
        if self._pid != os.getpid():              # a forked process: the sockets are the parent's
            self._pid, self._watch = os.getpid(), None
            self._forget()
        if self._watch is None:
            self._start_watch()
            return None
        subscribed = self._watch[0]
        try:
            while subscribed.can_read(timeout=0):
                # An invalidation (or the end of the connection): the keys that changed.
                message = subscribed.read_response()
                self._forget(stock_only=self._only_stock_changed(message))
        except _store_errors():
            logger.warning("page cache: lost Redis's invalidation messages; asking Redis on every page",
                           exc_info=True)
            self._stop_watch()
        return self._known_versions

    def _only_stock_changed(self, message) -> bool:
        keys = message[2] if isinstance(message, list) and len(message) == 3 else None
        return isinstance(keys, list) and bool(keys) and all(key == self._stock_key.encode() for key in keys)

    def _start_watch(self) -> None:
        if time.monotonic() < self._watch_from:
            return
        subscribed = tracking = None
        try:
            subscribed = self._pool.make_connection()
            subscribed.send_command("CLIENT", "ID")
            client_id = subscribed.read_response()
            subscribed.send_command("SUBSCRIBE", self.INVALIDATIONS)
            subscribed.read_response()
            tracking = self._pool.make_connection()
            tracking.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST",
                                  "PREFIX", self._version_key)
            tracking.read_response()
        except _store_errors():
            logger.warning("page cache: no invalidation messages from Redis; asking Redis on every page",
                           exc_info=True)
            for connection in (subscribed, tracking):
                if connection is not None:
                    connection.disconnect()
            self._watch_from = time.monotonic() + self.RETRY_SECONDS
            return
        self._watch = (subscribed, tracking)
        self._forget()

    def _stop_watch(self) -> None:
        for connection in self._watch or ():
            connection.disconnect()
        self._watch = None
        self._forget()
        self._watch_from = time.monotonic() + self.RETRY_SECONDS

    def _forget(self, stock_only: bool = False) -> None:
        """Drop what this process knows: every page it remembers belongs to the version that
        just moved (or, after Redis restarted or was emptied, to numbers that will come again).
        A change of stock levels only drops the pages that show them."""
        self._forgotten += 1
        stock_only = stock_only and self._known_versions is not None
        self._known_versions = (self._known_versions[0], None) if stock_only else None
        self._memory.forget(stock_only)


def _encoded(version: Version) -> bytes:
    return b".".join(b"%d" % number for number in version)


def _store_errors() -> tuple[type[BaseException], ...]:
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is in requirements.txt
        return (OSError,)
    return (redis.RedisError, OSError)


# ---- noticing writes -----------------------------------------------------------------------------

def _catalogue_committed(engine: Engine, tables: set[str]) -> None:
    """After a commit on `engine`: move the catalogue version on if it wrote to a table the pages
    read, or only the stock version if all it changed there was stock levels that neither reached
    nor left zero (stock.STOCK_LEVELS: an order, a cancellation), which only product pages show."""
    store = _STORES.get(engine)
    if store is None:
        return
    if tables & CATALOG_TABLES or "*" in tables:
        stock_only = False
    elif STOCK_LEVELS in tables:
        stock_only = True
    else:
        return
    try:
        store.bump(stock_only)
    except _store_errors():
        logger.exception("page cache: could not record a catalogue change; cached pages may be stale "
                         "for up to PAGE_CACHE_SECONDS")


# ---- serving -------------------------------------------------------------------------------------

def _store():
    return current_app.extensions.get("page_cache")


def register_visitor_part(name: str, render: Callable[[], str]) -> None:
    """Declare a part of the pages that differs per visitor, rendered by `render()` from the session."""
    _VISITOR_PARTS[name] = render


def visitor_part(name: str) -> Markup:
    """Template global: the current visitor's `name` part. A kept page holds a placeholder there,
    filled in for each visitor it is served to."""
    html = _VISITOR_PARTS[name]()
    if "page_cache_entry" in g:
        g.setdefault("page_cache_parts", {})[name] = html
    return Markup(html)


def _part_placeholder(name: str) -> str:
    return f"\x00plb-part-{name}\x00"


def _neutral_session() -> bool:
    return all(key in NEUTRAL_SESSION_KEYS or (key in NEUTRAL_WHEN_EMPTY and not session[key])
               for key in session.keys())


def _cacheable() -> bool:
    """Whether this request's page is the same for every anonymous visitor and may be kept."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
        return False
    if len(request.full_path) > MAX_CACHED_PATH or not _neutral_session():
        return False
    return not current_user.is_authenticated


def _cache_key() -> str:
    raw = f"{get_locale()}|{request.scheme}://{request.host}{request.full_path}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _serve_cached():
    if current_app.config["PAGE_CACHE_SECONDS"] <= 0 or not _cacheable():
        return None
    store = _store()
    key = _cache_key()
    try:
        # Before the view's queries: see the module docstring.
        version, body = store.lookup(key, with_stock=request.endpoint in STOCK_ENDPOINTS)
    except _store_errors():
        logger.warning("page cache unreachable; rendering pages without it", exc_info=True)
        return None
    if body is None:
        g.page_cache_entry = (version, key)
        return None
    html = body.decode("utf-8")
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, generate_csrf())
    for name, render in _VISITOR_PARTS.items():
        placeholder = _part_placeholder(name)
        if placeholder in html:
            html = html.replace(placeholder, render())
    response = Response(html, mimetype="text/html")
    response.headers[HEADER] = "hit"
    return response


def _keep(response: Response) -> Response:
    entry = g.pop("page_cache_entry", None)  # set only when the page was looked for and not found
    if entry is None:
        return response
    response.headers[HEADER] = "miss"
    personal = g.get("page_cache_personal") or response.headers.getlist("Set-Cookie")
    if response.status_code != 200 or response.mimetype != "text/html" or response.is_streamed or personal:
        return response
    if not _neutral_session():
        return response
    html = response.get_data(as_text=True)
    token = g.get("csrf_token")
    if token:
        html = html.replace(token, CSRF_PLACEHOLDER)
    for name, part in g.get("page_cache_parts", {}).items():
        if not part or html.count(part) != 1:     # the part can't be told apart from the page
            return response
        html = html.replace(part, _part_placeholder(name))
    try:
        _store().put(*entry, html.encode("utf-8"), current_app.config["PAGE_CACHE_SECONDS"])
    except _store_errors():
        logger.warning("page cache unreachable; page not kept", exc_info=True)
    return response


def cached_fragment(name: str, key: str, render: Callable[[], str]) -> str:
    """`render()`, or the text it gave in this process for the same `name`, `key` and language
    under the current catalogue version: a part of a page that many pages share (a product's
    related products, its producer's box).

    Only while rendering a page the cache looked for and did not have (an anonymous visitor's
    catalogue page): the version is the one that page will be kept under, read before the
    page's queries, so a fragment is as exact as a page; otherwise it is simply `render()`.
    The text must be the same for every anonymous visitor: no CSRF token, nothing personal.
    """
    entry = g.get("page_cache_entry")
    if entry is None:
        return render()
    store = _store()
    fragment_key = f"fragment|{name}|{get_locale()}|{key}"
    version = entry[0][:1]                # shared parts show no stock levels
    text = store.fragment(fragment_key, version)
    if text is None:
        text = render()
        store.keep_fragment(fragment_key, version, text, current_app.config["PAGE_CACHE_SECONDS"])
    return text


def _flashed(sender, message, category, **extra) -> None:
    g.page_cache_personal = True


def attach_store(app: Flask, store) -> None:
    """Keep `app`'s pages in `store` and have commits on its database invalidate them."""
    app.extensions["page_cache"] = store
    with app.app_context():
        from marketplace.extensions import db

        _STORES[db.engine] = store


def init_page_cache(app: Flask) -> None:
    """Serve and keep anonymous visitors' catalogue pages while PAGE_CACHE_SECONDS is above zero."""
    if app.config.get("REDIS_URL"):
        store = RedisStore(app.config["REDIS_URL"], app.config["PAGE_CACHE_PREFIX"],
                           app.config["PAGE_CACHE_MAX_ENTRIES"])
    else:
        store = LocalStore(app.config["PAGE_CACHE_MAX_ENTRIES"])
    attach_store(app, store)
    on_commit(_catalogue_committed)
    app.add_template_global(visitor_part)
    app.before_request(_serve_cached)
    app.after_request(_keep)
    message_flashed.connect(_flashed, app)
