"""Fixtures for supplier tests: suppliers in any status, operators, members, API headers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest

import suppliers.api
from shop.core import db
from suppliers.services import vetting

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Made:
    """A supplier made for a test, with its member's login."""

    id: int
    member_id: int
    email: str


@pytest.fixture
def requirements(app):
    with app.app_context(), db.session_scope() as s:
        vetting.ensure_default_requirements()
        s.commit()


@pytest.fixture
def make_supplier(app, make_user):
    def make(
        status: str = "submitted",
        kind: str = "channel_partner",
        categories: tuple[str, ...] = ("家政保洁",),
    ) -> Made:
        n = next(_numbers)
        email = f"member{n}@supplier.test"
        member_id = make_user("supplier_member", email=email)
        with app.app_context(), db.session_scope() as s:
            ref = suppliers.api.register_supplier(
                name=f"供应商{n}",
                kind=kind,
                licence_no=f"91310000TEST{n:05d}",
                member_user_id=member_id,
                status=status,
                categories=categories,
            )
            s.commit()
        return Made(ref.id, member_id, email)

    return make


@pytest.fixture
def operator_id(make_user):
    return make_user("operator", email="ops@platform.test")


def service(app: Any, fn: Any, **kwargs: Any) -> Any:
    """Call a service in its own committed unit of work."""
    with app.app_context(), db.session_scope() as s:
        result = fn(**kwargs)
        s.commit()
        return result
