"""Bulk product import from a CSV file (as Excel or Google Sheets save it), and its template.

The file is decoded (UTF-8, UTF-8 with BOM, else Windows-1252 as older Excel writes),
its delimiter found (`,` or `;`, which Excel uses in the Indonesian locale), and EVERY
row checked before anything is written. Any problem in any row means nothing is written
and the producer gets all problems at once, by spreadsheet row number (the header is
row 1). A row with a `kode` (the product's code, its slug) updates that product of this
producer; a row without one creates a product.

Problems are reason codes (see `ImportProblem`); the view words them.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from marketplace.formatting import InvalidAmount, parse_rupiah
from marketplace.models import UNITS, Category, Product, ProductStatus, SellerProfile, SellerStatus, Tag, utcnow
from marketplace.services import products as product_service

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
COLUMNS = ("kode", "nama", "kategori", "harga", "satuan", "stok", "berat_gram", "deskripsi", "tag", "status")
REQUIRED_COLUMNS = ("nama", "harga", "stok")
STATUS_WORDS = {
    "draft": ProductStatus.DRAFT, "draf": ProductStatus.DRAFT, "konsep": ProductStatus.DRAFT,
    "published": ProductStatus.PUBLISHED, "terbit": ProductStatus.PUBLISHED, "tayang": ProductStatus.PUBLISHED,
    "dijual": ProductStatus.PUBLISHED,
}
TAG_SEPARATORS = (",", ";", "|")


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong: `row` is the spreadsheet row (None for the whole file), `column` a header
    name or None, `code` the reason, `value` what was found (shortened) for the message."""

    row: int | None
    column: str | None
    code: str
    value: str = ""


class ImportRefused(ValueError):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__("; ".join(f"{p.row}:{p.column}:{p.code}" for p in problems[:5]))
        self.problems = problems

    def by_row(self) -> list[tuple[int | None, list[ImportProblem]]]:
        """Problems grouped by row, file-wide ones (row None) first."""
        grouped: dict[int | None, list[ImportProblem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.row, []).append(problem)
        return sorted(grouped.items(), key=lambda item: -1 if item[0] is None else item[0])


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


@dataclass
class _Row:
    number: int
    product: Product | None
    data: product_service.ProductData


def _short(value: str, limit: int = 40) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


# ---- reading the file ---------------------------------------------------------------------

def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), else Windows-1252; raises ImportRefused."""
    if not data.strip():
        raise ImportRefused([ImportProblem(None, None, "empty")])
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportRefused([ImportProblem(None, None, "spreadsheet")])  # .xlsx (zip) or old .xls
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused([ImportProblem(None, None, "encoding")])  # UTF-16 "Unicode text"
    if b"\x00" in data:
        raise ImportRefused([ImportProblem(None, None, "binary")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefused([ImportProblem(None, None, "encoding")]) from None


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _header_key(raw: str) -> str:
    return "_".join(raw.strip().strip('"').lower().replace("-", " ").split())


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(columns, [(row number, {column: value})]) for the decoded text; raises ImportRefused.

    Rows that are completely empty (Excel leaves `;;;;` lines) are skipped but keep their number.
    """
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRefused([ImportProblem(None, None, "empty")])
        columns = [_header_key(h) for h in header]
        unknown = [h for h, key in zip(header, columns, strict=True) if key and key not in COLUMNS]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
        if unknown or missing or duplicated:
            problems = [ImportProblem(None, None, "unknown_column", _short(h)) for h in unknown]
            problems += [ImportProblem(None, None, "missing_column", c) for c in missing]
            problems += [ImportProblem(None, None, "duplicate_column", c) for c in duplicated]
            raise ImportRefused(problems)
        rows: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportRefused([ImportProblem(None, None, "too_many_rows", str(MAX_ROWS))])
            if len(values) > len(columns) and any(v.strip() for v in values[len(columns):]):
                rows.append((number, {"__extra__": "1"}))
                continue
            rows.append((number, {c: (values[i] if i < len(values) else "") for i, c in enumerate(columns) if c}))
    except csv.Error:
        raise ImportRefused([ImportProblem(reader.line_num or None, None, "unreadable")]) from None
    if not rows:
        raise ImportRefused([ImportProblem(None, None, "no_rows")])
    return columns, rows


# ---- checking rows ------------------------------------------------------------------------

def _whole_number(raw: str) -> int:
    """`12`, `1.000`, `1000,00` → int; anything else InvalidAmount (parse_rupiah's rules, no `Rp`)."""
    if raw.strip().lower().startswith("rp"):
        raise InvalidAmount("currency in a count")
    return parse_rupiah(raw)


class _Lookup:
    """Categories and tags by slug or name (either language), case-insensitive."""

    def __init__(self, session: Session):
        self.categories: dict[str, int] = {}
        for category in session.scalars(select(Category)):
            for key in (category.slug, category.name_id, category.name_en):
                self.categories.setdefault(key.strip().lower(), category.id)
        self.tags: dict[str, int] = {}
        for tag in session.scalars(select(Tag)):
            for key in (tag.slug, tag.name_id, tag.name_en):
                self.tags.setdefault(key.strip().lower(), tag.id)


def _split_tags(raw: str) -> list[str]:
    parts = [raw]
    for separator in TAG_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p.strip() for p in parts if p.strip()]


def _check_row(number: int, values: dict[str, str], *, seller: SellerProfile, own: dict[str, Product],
               lookup: _Lookup, seen_codes: set[str]) -> tuple[_Row | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []

    def problem(column: str | None, code: str, value: str = "") -> None:
        problems.append(ImportProblem(number, column, code, _short(value)))

    if "__extra__" in values:
        problem(None, "extra_cells")
        return None, problems

    code = values.get("kode", "").strip().lower()
    product = None
    if code:
        if code in seen_codes:
            problem("kode", "duplicate_code", code)
        seen_codes.add(code)
        product = own.get(code)
        if product is None:
            problem("kode", "unknown_code", code)

    name = _unprotect(values.get("nama", "").strip())
    if not name:
        problem("nama", "required")
    elif len(name) > product_service.NAME_MAX:
        problem("nama", "too_long", name)

    amounts: dict[str, int | None] = {}
    for column, maximum, reader in (("harga", product_service.MAX_PRICE, parse_rupiah),
                                    ("stok", product_service.MAX_STOCK, _whole_number),
                                    ("berat_gram", product_service.MAX_WEIGHT_GRAMS, _whole_number)):
        raw = values.get(column, "").strip()
        amounts[column] = None
        if not raw:
            if column in REQUIRED_COLUMNS:
                problem(column, "required")
            continue
        negative = raw.lstrip().startswith("-")
        try:
            amount = reader(raw)
        except InvalidAmount:
            problem(column, "negative" if negative else "not_a_number", raw)
            continue
        if amount > maximum:
            problem(column, "too_large", raw)
        elif column == "harga" and amount < 1:
            problem(column, "zero_price", raw)
        else:
            amounts[column] = amount

    unit = values.get("satuan", "").strip().lower()
    if not unit:
        unit = product.unit if product else "pcs"
    elif unit not in UNITS:
        problem("satuan", "unknown_unit", unit)

    category_id = product.category_id if product and "kategori" not in values else None
    category_raw = values.get("kategori", "").strip()
    if category_raw:
        category_id = lookup.categories.get(category_raw.lower())
        if category_id is None:
            problem("kategori", "unknown_category", category_raw)

    tag_ids: list[int] = [t.id for t in product.tags] if product and "tag" not in values else []
    for tag_raw in _split_tags(values.get("tag", "")):
        tag_id = lookup.tags.get(tag_raw.lower())
        if tag_id is None:
            problem("tag", "unknown_tag", tag_raw)
        else:
            tag_ids.append(tag_id)

    if "deskripsi" in values:
        description = _unprotect(values["deskripsi"].strip())
    else:
        description = product.description if product else ""
    if len(description) > product_service.DESCRIPTION_MAX:
        problem("deskripsi", "too_long")

    status_raw = values.get("status", "").strip().lower()
    if status_raw:
        status = STATUS_WORDS.get(status_raw)
        if status is None:
            problem("status", "unknown_status", status_raw)
        elif status == ProductStatus.PUBLISHED and seller.status != SellerStatus.APPROVED:
            problem("status", "seller_not_approved", status_raw)
    else:
        status = product.status if product else ProductStatus.DRAFT

    if problems:
        return None, problems
    weight = amounts["berat_gram"]
    if weight is None:
        weight = product.weight_grams if product else 0
    data = product_service.ProductData(
        name=name, price=amounts["harga"], stock=amounts["stok"], unit=unit, weight_grams=weight,
        description=description, category_id=category_id, tag_ids=tag_ids, status=status,
    )
    return _Row(number, product, data), []


def import_products(session: Session, seller: SellerProfile, data: bytes, *,
                    now: datetime | None = None) -> ImportResult:
    """Check every row of the CSV `data`, then create / update all products in ONE transaction.

    Raises ImportRefused with every problem found, having written nothing.
    """
    if len(data) > MAX_BYTES:
        raise ImportRefused([ImportProblem(None, None, "too_large", str(MAX_BYTES // (1024 * 1024)))])
    _columns, raw_rows = read_rows(decode(data))
    own = {p.slug: p for p in session.scalars(
        select(Product).where(Product.seller_id == seller.id).options(selectinload(Product.tags)))}
    lookup = _Lookup(session)
    seen_codes: set[str] = set()
    problems: list[ImportProblem] = []
    rows: list[_Row] = []
    for number, values in raw_rows:
        row, row_problems = _check_row(number, values, seller=seller, own=own, lookup=lookup, seen_codes=seen_codes)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if problems:
        raise ImportRefused(problems)

    now = now or utcnow()
    tags_by_id = {t.id: t for t in session.scalars(select(Tag))}
    reserved: set[str] = set()
    result = ImportResult()
    # Slug look-ups must not flush the rows added so far (that is 1000 flushes); `reserved`
    # already keeps the new slugs apart, and everything is flushed once at commit.
    with session.no_autoflush:
        for row in rows:
            _write_row(session, seller, row, tags_by_id, reserved, result, now)
    session.commit()
    return result


def _write_row(session: Session, seller: SellerProfile, row: _Row, tags_by_id: dict[int, Tag], reserved: set[str],
               result: ImportResult, now: datetime) -> None:
    """Create or update the product of one checked row (no commit)."""
    data_row = row.data
    chosen_tags = sorted({tags_by_id[i].slug: tags_by_id[i] for i in data_row.tag_ids}.values(), key=lambda t: t.slug)
    product = row.product
    if product is None:
        slug = product_service.unique_slug(session, data_row.name, reserved)
        reserved.add(slug)
        product = Product(seller=seller, slug=slug, stock=data_row.stock)
        session.add(product)
        result.created += 1
    else:
        result.updated += 1
        if product.stock != data_row.stock:
            product.stock = data_row.stock
    product.name = data_row.name
    product.description = data_row.description
    product.price = data_row.price
    product.unit = data_row.unit
    product.weight_grams = data_row.weight_grams
    product.category_id = data_row.category_id
    product.tags = chosen_tags
    product_service.set_status(product, ProductStatus(data_row.status), now)


# ---- the template -------------------------------------------------------------------------

def template_csv(session: Session, seller: SellerProfile) -> bytes:
    """The import template: the headers and the producer's current (non-archived) products, so a
    producer can download, change prices and stock in Excel and upload again.

    `;`-separated UTF-8 with BOM: what Excel in the Indonesian locale opens correctly.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    products = session.scalars(
        select(Product).where(Product.seller_id == seller.id, Product.status != ProductStatus.ARCHIVED)
        .options(selectinload(Product.tags), selectinload(Product.category)).order_by(Product.name, Product.id)
    )
    for product in products:
        writer.writerow([
            product.slug, _safe_cell(product.name), product.category.slug if product.category else "", product.price,
            product.unit, product.stock, product.weight_grams, _safe_cell(product.description),
            ", ".join(t.slug for t in product.tags), product.status.value,
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in _FORMULA_STARTS else value


def _unprotect(value: str) -> str:
    """Undo `_safe_cell` on the way back in."""
    return value[1:] if value[:1] == "'" and value[1:2] in _FORMULA_STARTS else value
