"""Filters and globals available in every template."""
from __future__ import annotations

from flask import Flask, url_for

from marketplace.formatting import format_rupiah, format_wib_date, format_wib_datetime, whatsapp_link
from marketplace.i18n import current_language
from marketplace.models import Image
from marketplace.regions import kecamatan_name
from marketplace.services.images import rendition_key


def image_url(image: Image | None, width: int = 800) -> str | None:
    """URL of the smallest rendition at least `width` wide (or the largest there is)."""
    if image is None:
        return None
    widths = image.widths
    chosen = next((w for w in widths if w >= width), widths[-1])
    return url_for("media.rendition", key=rendition_key(image.key, chosen))


def image_srcset(image: Image | None) -> str:
    if image is None:
        return ""
    return ", ".join(
        f"{url_for('media.rendition', key=rendition_key(image.key, w))} {w}w" for w in image.widths
    )


def init_templating(app: Flask) -> None:
    app.add_template_filter(lambda amount: format_rupiah(amount, current_language()), "rupiah")
    app.add_template_filter(lambda moment: format_wib_datetime(moment, current_language()), "wib")
    app.add_template_filter(lambda day: format_wib_date(day, current_language()), "wib_date")
    app.add_template_filter(kecamatan_name, "kecamatan")
    app.add_template_global(image_url)
    app.add_template_global(image_srcset)
    app.add_template_global(whatsapp_link)
    app.add_template_global(current_language)

    @app.context_processor
    def _site() -> dict:
        return {"site_name": app.config["SITE_NAME"], "languages": app.config["LANGUAGES"]}
