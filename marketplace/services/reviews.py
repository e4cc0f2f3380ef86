"""Reviews: a buyer rates (1-5) and reviews each product of a completed order part once."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.models import OrderLine, PartStatus, Review


class ReviewRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def add_review(session: Session, line: OrderLine, *, rating: int, body: str, author_name: str,
               buyer_id: int | None) -> Review:
    """Store the review; the part must be completed and the line not reviewed yet."""
    if line.part.status != PartStatus.COMPLETED:
        raise ReviewRefused("not_completed")
    if not 1 <= int(rating) <= 5:
        raise ReviewRefused("bad_rating")
    if line.product_id is None:
        raise ReviewRefused("product_gone")
    review = Review(order_line_id=line.id, product_id=line.product_id, buyer_id=buyer_id,
                    author_name=author_name.strip()[:120], rating=int(rating), body=(body or "").strip()[:2000])
    session.add(review)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ReviewRefused("already_reviewed") from None
    return review


def reviewed_line_ids(session: Session, line_ids: list[int]) -> set[int]:
    if not line_ids:
        return set()
    return set(session.scalars(select(Review.order_line_id).where(Review.order_line_id.in_(line_ids))))
