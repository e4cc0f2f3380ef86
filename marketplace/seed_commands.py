"""Command-line tools for sample data: `flask seed-demo`, `flask demo-logins`, `flask seed-bench`."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from marketplace.extensions import db
from marketplace.services import bench_data, demo_data
from marketplace.services.storage import get_storage


def _image_settings() -> demo_data.ImageSettings:
    config = current_app.config
    return demo_data.ImageSettings(widths=tuple(config["IMAGE_WIDTHS"]), max_bytes=config["MAX_IMAGE_BYTES"],
                                   max_pixels=config["MAX_IMAGE_PIXELS"])


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and say nothing) when the database already has users.")
@click.option("--seed", default=demo_data.DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option("--products", default=demo_data.DEMO_PRODUCT_COUNT, type=click.IntRange(0, 5_000), hidden=True)
@with_appcontext
def seed_demo(if_empty: bool, seed: int, products: int) -> None:
    """Fill an EMPTY database with a demo Blitar market (producers, products, pictures, logins)."""
    if demo_data.database_has_users(db.session):
        if if_empty:
            return
        raise click.ClickException(
            "The database already has users, so no demo data was loaded (it only goes into an empty database). "
            "Use --if-empty to skip quietly, or point DATABASE_URL at a new database."
        )
    started = time.perf_counter()
    summary = demo_data.seed_demo(db.session, get_storage(), hash_method=current_app.config["PASSWORD_HASH_METHOD"],
                                  seed=seed, products=products, images=_image_settings())
    click.echo(
        f"Loaded the demo market in {time.perf_counter() - started:.1f} s: {summary.sellers} producers, "
        f"{summary.products} products, {summary.images} pictures, {summary.categories} categories, "
        f"{summary.cohorts} training cohorts."
    )
    click.echo()
    click.echo(demo_data.format_demo_logins())


@click.command("demo-logins")
def demo_logins() -> None:
    """Print how to log in as each role of the demo market."""
    click.echo(demo_data.format_demo_logins())


@click.command("seed-bench")
@click.option("--sellers", default=1_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="How many producers to add.")
@click.option("--products", default=100_000, show_default=True, type=click.IntRange(0, 10_000_000),
              help="How many products to add.")
@click.option("--search-index/--no-search-index", default=False, show_default=True,
              help="Also index the new products for search (several times slower).")
@click.option("--seed", default=bench_data.DEFAULT_SEED, show_default=True, help="Random seed.")
@with_appcontext
def seed_bench(sellers: int, products: int, search_index: bool, seed: int) -> None:
    """Add a large synthetic data set for benchmarks, fast (bulk inserts, shared pictures)."""
    started = time.perf_counter()
    summary = bench_data.seed_bench(
        db.session, get_storage(), sellers=sellers, products=products, seed=seed,
        hash_method=current_app.config["PASSWORD_HASH_METHOD"], images=_image_settings(), search_index=search_index,
    )
    seconds = time.perf_counter() - started
    click.echo(f"Added {summary.sellers} sellers and {summary.products} products "
               f"({summary.product_tags} tag links, {summary.images} shared pictures) in {seconds:.1f} s.")
    if not summary.indexed:
        click.echo("The new products are not in the search index yet: run `flask search-reindex` "
                   "(or seed with --search-index).")


def init_seed_commands(app: Flask) -> None:
    for command in (seed_demo, demo_logins, seed_bench):
        app.cli.add_command(command)
