"""Commission rules: saved by the operator, read back as the frozen rules in force."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlmodel import select

from fulfilment import rules
from fulfilment.models import (
    CommissionRule,
)
from shop.core import audit, db
from shop.core.errors import Invalid


def _rule(row: CommissionRule) -> rules.Rule:
    return rules.Rule(
        row.id,
        row.scope,
        row.scope_id,
        row.basis,
        row.amount,
        row.split_bp,
        row.missed_factor_bp,
        db.aware(row.valid_from),
    )


def save_rule(*, actor_id: int, data: dict[str, Any]) -> CommissionRule:
    """Add a rule version (it applies to orders paid from `valid_from`, default now)."""
    split = {k: int(v) for k, v in data["split_bp"].items()}
    if not split or set(split) - set(rules.ROLES) or any(v < 0 for v in split.values()):
        raise Invalid(
            _("Share among deliverer, performer and referrer."),
            fields={"split_bp": [_("Share among deliverer, performer and referrer.")]},
        )
    row = CommissionRule(
        scope=data["scope"],
        scope_id=data.get("scope_id"),
        basis=data["basis"],
        amount=int(data["amount"]),
        split_bp=split,
        missed_factor_bp=int(data.get("missed_factor_bp", 10_000)),
        valid_from=data.get("valid_from") or db.utcnow(),
        created_by=actor_id,
    )
    db.session().add(row)
    db.session().flush()
    audit.record(
        actor_id=actor_id,
        action="commission_rule.save",
        subject_type="commission_rule",
        subject_id=row.id,
        data={k: str(v) for k, v in data.items()},
    )
    return row


def rules_in_force() -> list[rules.Rule]:
    """Every rule version as frozen values, newest first."""
    return [_rule(row) for row in list_rules()]


def list_rules() -> list[CommissionRule]:
    """Every rule version, newest first."""
    return list(
        db.session().exec(
            select(CommissionRule).order_by(CommissionRule.valid_from.desc(), CommissionRule.id)
        )
    )
