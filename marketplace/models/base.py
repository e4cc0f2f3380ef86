"""The declarative base, shared column types and helpers for every model."""
from __future__ import annotations

from datetime import datetime, timezone

import enum

from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class BilingualName:
    """A thing named in Indonesian (`name_id`) and English (`name_en`), shown in the reader's language."""

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


def utcnow() -> datetime:
    """The current moment as an aware UTC datetime (used as a callable column default)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC and always returns aware UTC datetimes.

    SQLite keeps no time zone, PostgreSQL's `timestamp without time zone` neither, so
    both engines behave the same and comparisons never mix naive and aware values.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def string_enum(enum_cls: type[enum.Enum], name: str, length: int = 16) -> Enum:
    """A Python enum stored as its string values in a VARCHAR with a CHECK constraint
    (the same on SQLite and PostgreSQL, and easy to extend in a migration)."""
    return Enum(enum_cls, native_enum=False, length=length, create_constraint=True, name=name,
                values_callable=lambda members: [member.value for member in members])


class Base(DeclarativeBase):
    """Base class of every model; its metadata names constraints predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
