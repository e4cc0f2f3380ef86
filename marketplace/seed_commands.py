"""Command-line tools for sample data: `flask seed-demo`, `flask demo-logins`, `flask seed-bench`."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from marketplace.extensions import db
from marketplace.models import PaymentMethod
from marketplace.services import bench_data, demo_data
from marketplace.services.storage import get_storage


def _image_settings() -> demo_data.ImageSettings:
    config = current_app.config
    return demo_data.ImageSettings(widths=tuple(config["IMAGE_WIDTHS"]), max_bytes=config["MAX_IMAGE_BYTES"],
                                   max_pixels=config["MAX_IMAGE_PIXELS"])


def _expiry_minutes() -> dict[PaymentMethod, int]:
    return {PaymentMethod(k): v for k, v in current_app.config["ORDER_EXPIRY_MINUTES"].items()}


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and say nothing) when the database already has users.")
@click.option("--seed", default=demo_data.DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option("--products", default=demo_data.DEMO_PRODUCT_COUNT, type=click.IntRange(0, 5_000), hidden=True)
@click.option("--orders", default=demo_data.DEMO_ORDER_COUNT, type=click.IntRange(0, 2_000), hidden=True)
@with_appcontext
def seed_demo(if_empty: bool, seed: int, products: int, orders: int) -> None:
    """Fill an EMPTY database with a demo Blitar market (producers, products, pictures, orders, logins)."""
    if demo_data.database_has_users(db.session):
        if if_empty:
            return
        raise click.ClickException(
            "The database already has users, so no demo data was loaded (it only goes into an empty database). "
            "Use --if-empty to skip quietly, or point DATABASE_URL at a new database."
        )
    started = time.perf_counter()
    summary = demo_data.seed_demo(db.session, get_storage(), hash_method=current_app.config["PASSWORD_HASH_METHOD"],
                                  seed=seed, products=products, orders=orders, images=_image_settings(),
                                  expiry_minutes=_expiry_minutes())
    click.echo(
        f"Loaded the demo market in {time.perf_counter() - started:.1f} s: {summary.sellers} producers, "
        f"{summary.products} products, {summary.images} pictures, {summary.categories} categories, "
        f"{summary.cohorts} training cohorts, {summary.orders} orders, {summary.reviews} reviews."
    )
    click.echo()
    click.echo(demo_data.format_demo_logins())


@click.command("demo-logins")
def demo_logins() -> None:
    """Print how to log in as each role of the demo market."""
    click.echo(demo_data.format_demo_logins())


def _order_count(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """--orders N: a whole number from 1 to 10,000,000, or a clear usage error."""
    if value is None:
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 10_000_000:
        raise click.BadParameter(f"{value!r} is not a number of orders: give a whole number from 1 to 10000000.")
    return number


@click.command("seed-bench")
@click.option("--sellers", default=1_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="How many producers to add.")
@click.option("--products", default=100_000, show_default=True, type=click.IntRange(0, 10_000_000),
              help="How many products to add.")
@click.option("--search-index/--no-search-index", default=False, show_default=True,
              help="Also index the new products for search (several times slower).")
@click.option("--orders", default=None, callback=_order_count, metavar="N",
              help="Also add N orders over two years, in every state (e.g. 625000 for about 1,000,000 order "
                   "lines), with exhibitions and offline sales over the same years.")
@click.option("--seed", default=bench_data.DEFAULT_SEED, show_default=True, help="Random seed.")
@with_appcontext
def seed_bench(sellers: int, products: int, search_index: bool, orders: int | None, seed: int) -> None:
    """Add a large synthetic data set for benchmarks, fast (bulk inserts, shared pictures)."""
    started = time.perf_counter()
    summary = bench_data.seed_bench(
        db.session, get_storage(), sellers=sellers, products=products, seed=seed,
        hash_method=current_app.config["PASSWORD_HASH_METHOD"], images=_image_settings(), search_index=search_index,
    )
    seconds = time.perf_counter() - started
    click.echo(f"Added {summary.sellers} sellers and {summary.products} products "
               f"({summary.product_tags} tag links, {summary.images} shared pictures) in {seconds:.1f} s.")
    if orders:
        started = time.perf_counter()
        try:
            made = bench_data.seed_bench_orders(db.session, orders=orders, seed=seed)
        except ValueError as exc:
            raise click.ClickException("There are no published products of approved producers to order, "
                                       "so no orders were added.") from exc
        click.echo(f"Added {made.orders} orders ({made.parts} producer parts, {made.lines} order lines, "
                   f"{made.payments} payments, {made.events} events, {made.reviews} reviews, "
                   f"{made.ledger_entries} ledger entries) in {time.perf_counter() - started:.1f} s.")
        started = time.perf_counter()
        offline = bench_data.seed_bench_offline(db.session, seed=seed)
        click.echo(f"Added {offline.events} exhibitions and {offline.sales} offline sales ({offline.voided} voided, "
                   f"{offline.corrected} of them corrected) in {time.perf_counter() - started:.1f} s.")
    if not summary.indexed:
        click.echo("The new products are not in the search index yet: run `flask search-reindex` "
                   "(or seed with --search-index).")


def init_seed_commands(app: Flask) -> None:
    for command in (seed_demo, demo_logins, seed_bench):
        app.cli.add_command(command)
