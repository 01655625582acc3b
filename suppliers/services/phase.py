"""The platform phase: current value, readiness figures against thresholds, audited advances."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlmodel import func, select

from shop.core import audit, db
from shop.core.errors import Invalid
from suppliers.errors import NotReady, PhaseOrder
from suppliers.models import PhaseChange, Supplier, SupplierKind, SupplierStatus

#: A source of readiness figures computed by another package: returns {key: value}, counted
#: up to an instant (None: now).
ReadinessSource = Callable[[datetime | None], Mapping[str, int | None]]
_SOURCES = "suppliers.readiness_sources"
LABELS = {
    "active_channel_partners": ("已合作渠道商", "Approved channel partners"),
    "active_producers": ("已合作生产商", "Approved producers"),
    "delivered_orders": ("已完成订单", "Delivered orders"),
    "met_rate_bp": ("承诺达成率(基点)", "Promises met (basis points)"),
}


@dataclass(frozen=True)
class Figure:
    """One readiness figure: its value (None while unknown), the threshold and whether met."""

    key: str
    label_zh: str
    label_en: str
    value: int | None
    threshold: int
    met: bool


def register_readiness_source(app: Flask, source: ReadinessSource) -> None:
    """Let a package above add figures (delivered orders, met rate) to the readiness check."""
    app.extensions.setdefault(_SOURCES, []).append(source)


def current_phase(as_of: datetime | None = None) -> int:
    """The platform phase in force (at `as_of`, or now): 1 until the operator advances it."""
    stmt = select(PhaseChange.phase).order_by(PhaseChange.id.desc())
    if as_of is not None:
        stmt = stmt.where(PhaseChange.at < as_of)
    return db.session().exec(stmt).first() or 1


def _own_figures(as_of: datetime | None) -> dict[str, int | None]:
    selling = (SupplierStatus.APPROVED_PROBATION.value, SupplierStatus.ACTIVE.value)
    stmt = select(Supplier.kind, func.count()).where(Supplier.status.in_(selling))
    if as_of is not None:  # those selling now that were approved by then
        stmt = stmt.where(Supplier.approved_at < as_of)
    rows = db.session().exec(stmt.group_by(Supplier.kind))
    counts = dict(rows.all())
    return {
        "active_channel_partners": counts.get(SupplierKind.CHANNEL_PARTNER.value, 0),
        "active_producers": counts.get(SupplierKind.PRODUCER.value, 0),
    }


def readiness(target: int, as_of: datetime | None = None) -> list[Figure]:
    """The figures that decide whether the platform may enter phase `target` (now or `as_of`)."""
    thresholds: Mapping[str, int] = current_app.config["PHASE_THRESHOLDS"].get(str(target), {})
    values: dict[str, int | None] = _own_figures(as_of)
    for source in current_app.extensions.get(_SOURCES, []):
        values.update(source(as_of))
    figures = []
    for key, threshold in thresholds.items():
        value = values.get(key)
        zh, en = LABELS.get(key, (key, key))
        figures.append(
            Figure(
                key, zh, en, value, int(threshold), value is not None and value >= int(threshold)
            )
        )
    return figures


def advance_phase(*, phase: int, actor_id: int, override_reason: str = "") -> PhaseChange:
    """Move the platform to the next phase; refused while figures are unmet, unless overridden."""
    from suppliers.services.access import require_operator

    require_operator(actor_id)
    current = current_phase()
    if phase != current + 1:
        raise PhaseOrder(
            _(
                "The platform is in phase %(current)d; it can only advance to phase %(next)d.",
                current=current,
                next=current + 1,
            ),
        )
    figures = readiness(phase)
    unmet = [f for f in figures if not f.met]
    reason = override_reason.strip()
    _check_override(phase, unmet, reason)
    change = PhaseChange(
        phase=phase,
        actor_id=actor_id,
        override_reason=reason,
        readiness=[asdict(f) for f in figures],
    )
    db.session().add(change)
    audit.record(
        actor_id=actor_id,
        action="platform.phase_advanced",
        subject_type="platform",
        subject_id="phase",
        data={
            "from": current,
            "to": phase,
            "override_reason": reason,
            "unmet": [f.key for f in unmet],
        },
    )
    db.session().flush()
    return change


def _check_override(phase: int, unmet: list[Figure], reason: str) -> None:
    """Unmet figures need a written reason of at least 10 characters to be overridden."""
    if unmet and not reason:
        names = "、".join(f.label_zh for f in unmet)
        raise NotReady(
            _(
                "Not ready for phase %(phase)d: %(names)s. Write an override reason "
                "to advance anyway.",
                phase=phase,
                names=names,
            ),
            fields={f.key: [f"{f.value} < {f.threshold}"] for f in unmet},
        )
    if reason and len(reason) < 10:
        raise Invalid(
            _("Explain the override in at least 10 characters."),
            fields={"override_reason": [_("At least 10 characters.")]},
        )


def history() -> list[PhaseChange]:
    """Every advance, oldest first."""
    return list(db.session().exec(select(PhaseChange).order_by(PhaseChange.id)))
