"""A supplier's items: create, change (recorded), stock adjustments and CSV import."""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import update
from sqlmodel import func, select

from shop.core import db, media
from shop.core.errors import Invalid, NotFound
from shop.core.i18n import translate_errors
from shop.core.models import Community
from suppliers import process, signals
from suppliers.errors import (
    ImportExpired,
    NotGoods,
    ProbationItemLimit,
    StockNegative,
    SupplierNotEditing,
)
from suppliers.models import Item, ItemChange, StockMovement, Supplier, SupplierStatus
from suppliers.schemas import ItemSchema
from suppliers.services import access

MAX_IMPORT_ROWS = 10_000
#: The columns of an item CSV, in the order exports and templates write them.
CSV_COLUMNS = (
    "sku",
    "kind",
    "category",
    "name",
    "description",
    "unit",
    "supply_price_minor",
    "stock",
    "staff_role",
    "duration_minutes",
    "slot_times",
    "slot_capacity",
)
_INT = re.compile(r"^-?\d+$")
_INT_COLUMNS = ("supply_price_minor", "stock", "duration_minutes", "slot_capacity")


def _check_can_edit(supplier: Supplier) -> None:
    if supplier.status not in process.EDITING:
        raise SupplierNotEditing(
            _("A %(status)s supplier cannot change its catalogue.", status=supplier.status),
        )


def _check_probation_limit(supplier: Supplier, extra_active: int) -> None:
    if supplier.status != SupplierStatus.APPROVED_PROBATION or extra_active <= 0:
        return
    limit = int(current_app.config["SUPPLIER_PROBATION_MAX_ACTIVE_ITEMS"])
    active = (
        db.session()
        .exec(
            select(func.count())
            .select_from(Item)
            .where(Item.supplier_id == supplier.id, Item.is_active)
        )
        .one()
    )
    if active + extra_active > limit:
        raise ProbationItemLimit(
            _("On probation a supplier may have at most %(limit)d active items.", limit=limit),
        )


def _check_communities(ids: list[int]) -> None:
    if not ids:
        return
    known = set(db.session().exec(select(Community.id).where(Community.id.in_(ids))))
    if unknown := sorted(set(ids) - known):
        raise Invalid(
            _("Unknown community."),
            fields={"service_community_ids": [_("Unknown community: %(ids)s", ids=unknown)]},
        )


def _sku_taken(supplier_id: int, sku: str, except_id: int | None = None) -> bool:
    stmt = select(Item.id).where(Item.supplier_id == supplier_id, Item.sku == sku)
    if except_id is not None:
        stmt = stmt.where(Item.id != except_id)
    return db.session().exec(stmt).first() is not None


def create_item(*, supplier_id: int, actor_id: int, data: Mapping[str, Any]) -> Item:
    """Add an item to the supplier's catalogue (validated by ItemSchema)."""
    supplier, _who = access.get_supplier_for(actor_id, supplier_id)
    _check_can_edit(supplier)
    if _sku_taken(supplier_id, data["sku"]):
        raise Invalid(_("This SKU is taken."), fields={"sku": [_("This SKU is taken.")]})
    _check_communities(data.get("service_community_ids", []))
    _check_probation_limit(supplier, 1 if data.get("is_active", True) else 0)
    item = _new_item(supplier_id, data)
    db.session().add(item)
    db.session().flush()
    if item.stock:
        db.session().add(
            StockMovement(
                item_id=item.id,
                delta=item.stock,
                stock_after=item.stock,
                reason="initial stock",
                actor_id=actor_id,
            )
        )
    db.session().flush()
    return item


def _new_item(supplier_id: int, data: Mapping[str, Any]) -> Item:
    values = dict(data)
    if values["kind"] == "goods":
        values.update(
            duration_minutes=None, slot_times=[], slot_capacity=0, service_community_ids=[]
        )
    else:
        values["stock"] = 0
    return Item(supplier_id=supplier_id, currency=current_app.config["CURRENCY"], **values)


def update_item(*, item_id: int, actor_id: int, changes: Mapping[str, Any]) -> Item:
    """Change an item; the change goes live at once and is recorded with who and what."""
    item, _who = access.get_item_for(actor_id, item_id, lock=True)
    supplier = db.session().get(Supplier, item.supplier_id)
    _check_can_edit(supplier)
    if "sku" in changes and _sku_taken(item.supplier_id, changes["sku"], except_id=item.id):
        raise Invalid(_("This SKU is taken."), fields={"sku": [_("This SKU is taken.")]})
    _check_communities(changes.get("service_community_ids", []))
    if changes.get("is_active") and not item.is_active:
        _check_probation_limit(supplier, 1)
    diff = _apply(item, changes)
    if item.kind == "service" and (
        not item.duration_minutes or not item.slot_times or not item.slot_capacity
    ):
        raise Invalid(
            _("A service needs a duration, daily slots and a capacity."),
            fields={"duration_minutes": [_("Required for a service.")]},
        )
    if diff:
        item.updated_at = db.utcnow()
        db.session().add(ItemChange(item_id=item.id, actor_id=actor_id, changes=diff))
        signals.item_changed.send(item.id)
    db.session().flush()
    return item


MAX_IMAGES = 8


def add_image(*, item_id: int, actor_id: int, data: bytes) -> Item:
    """Check and store an uploaded image and add it to the item (last); recorded as a change.

    The files are written before the commit; they are named by their content, so a rolled
    back upload leaves at most an unused file that the same upload would reuse.
    """
    item, _who = access.get_item_for(actor_id, item_id, lock=True)
    _check_can_edit(db.session().get(Supplier, item.supplier_id))
    if len(item.images) >= MAX_IMAGES:
        message = _("At most %(n)d images per item.", n=MAX_IMAGES)
        raise Invalid(message, fields={"image": [message]})
    stored = media.save_image(data, folder=f"items/{item.id}", field="image")
    if stored.key in item.images:
        return item
    return update_item(
        item_id=item.id, actor_id=actor_id, changes={"images": [*item.images, stored.key]}
    )


def remove_image(*, item_id: int, actor_id: int, digest: str) -> Item:
    """Take an image off the item (its files stay: an order's copy may still show it)."""
    item, _who = access.get_item_for(actor_id, item_id, lock=True)
    keys = [k for k in item.images if k.rsplit("/", 1)[-1] != digest]
    if len(keys) == len(item.images):
        raise NotFound(_("No such image."))
    return update_item(item_id=item.id, actor_id=actor_id, changes={"images": keys})


def _apply(item: Item, changes: Mapping[str, Any]) -> dict[str, list[Any]]:
    diff = {}
    for name, value in changes.items():
        old = getattr(item, name)
        if old != value:
            diff[name] = [old, value]
            setattr(item, name, value)
    return diff


def adjust_stock(*, item_id: int, actor_id: int, delta: int, reason: str) -> StockMovement:
    """Add or remove stock with a reason; stock never goes below zero (409 otherwise)."""
    item, _who = access.get_item_for(actor_id, item_id)
    if item.kind != "goods":
        raise NotGoods(_("Services have no stock."))
    if delta == 0:
        raise Invalid(_("The change cannot be zero."), fields={"delta": [_("Must not be 0.")]})
    s = db.session()
    # Conditional update: concurrent adjustments and orders cannot push stock below zero.
    result = s.execute(
        update(Item)
        .where(Item.id == item_id, Item.stock + delta >= 0)
        .values(stock=Item.stock + delta, updated_at=db.utcnow())
        .returning(Item.stock)
    )
    row = result.first()
    if row is None:
        raise StockNegative(_("Not enough stock: %(stock)d left.", stock=item.stock))
    s.expire(item, ["stock", "updated_at"])
    movement = StockMovement(
        item_id=item_id, delta=delta, stock_after=row[0], reason=reason.strip(), actor_id=actor_id
    )
    s.add(movement)
    s.flush()
    return movement


def list_items(
    *, supplier_id: int, actor_id: int, page: int = 1, per_page: int = 20
) -> tuple[list[Item], int]:
    """A page of the supplier's items (its members and the operator), newest first."""
    access.get_supplier_for(actor_id, supplier_id)
    stmt = select(Item).where(Item.supplier_id == supplier_id).order_by(Item.id.desc())
    return db.page(stmt, page, per_page)


def get_item(*, item_id: int, actor_id: int) -> Item:
    """One item, for its supplier's members and the operator (else NotFound)."""
    return access.get_item_for(actor_id, item_id)[0]


def stock_movements(
    *, item_id: int, actor_id: int, page: int = 1, per_page: int = 20
) -> tuple[list[StockMovement], int]:
    """A page of the item's stock history (a row per order), newest first, and the total."""
    access.get_item_for(actor_id, item_id)
    stmt = (
        select(StockMovement)
        .where(StockMovement.item_id == item_id)
        .order_by(StockMovement.id.desc())
    )
    return db.page(stmt, page, per_page)


def item_changes(*, item_id: int, actor_id: int) -> list[ItemChange]:
    """The item's recorded edits, newest first."""
    access.get_item_for(actor_id, item_id)
    return list(
        db.session().exec(
            select(ItemChange).where(ItemChange.item_id == item_id).order_by(ItemChange.id.desc())
        )
    )


@dataclass
class ImportRow:
    """One CSV row: its line number, what it would do and any errors by column."""

    line: int
    sku: str
    name: str
    action: str = "create"
    errors: dict[str, list[str]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportReport:
    """The outcome of a CSV import; nothing is saved unless every row is valid."""

    dry_run: bool
    rows: list[ImportRow]
    saved: bool = False

    @property
    def created(self) -> int:
        """Rows that add a new item."""
        return sum(1 for r in self.rows if r.action == "create" and not r.errors)

    @property
    def updated(self) -> int:
        """Rows that change an existing item (same SKU)."""
        return sum(1 for r in self.rows if r.action == "update" and not r.errors)

    @property
    def error_rows(self) -> int:
        """Rows with at least one error."""
        return sum(1 for r in self.rows if r.errors)


def parse_csv(text: str) -> list[ImportRow]:
    """Read and validate the rows of an item CSV (header names as in ItemSchema)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"sku", "kind", "category", "name", "unit", "supply_price_minor"} - set(
        reader.fieldnames or []
    )
    if missing:
        raise Invalid(
            _("The CSV lacks columns: %(columns)s", columns=", ".join(sorted(missing))),
            fields={"file": [_("Missing columns: %(names)s", names=", ".join(sorted(missing)))]},
        )
    known = set(ItemSchema().fields)
    schema, rows, seen = ItemSchema(), [], {}
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_IMPORT_ROWS:
            raise Invalid(
                _("At most %(n)d rows per file.", n=MAX_IMPORT_ROWS),
                fields={"file": [_("Too many rows.")]},
            )
        values = {k: (v or "").strip() for k, v in raw.items() if k in known and k}
        values = {k: v for k, v in values.items() if v != ""}
        for column in _INT_COLUMNS:
            if column in values and _INT.match(values[column]):
                values[column] = int(values[column])
        if "slot_times" in values:
            values["slot_times"] = [t.strip() for t in values["slot_times"].split("|") if t]
        row = ImportRow(line=line, sku=str(values.get("sku", "")), name=str(values.get("name", "")))
        try:
            row.data = schema.load(values)
        except ValidationError as exc:
            messages = translate_errors(exc.messages)
            row.errors = {k: v if isinstance(v, list) else [str(v)] for k, v in messages.items()}
        if row.sku:
            if row.sku in seen:
                row.errors.setdefault("sku", []).append(
                    _("Duplicate of line %(line)d in this file.", line=seen[row.sku])
                )
            else:
                seen[row.sku] = line
        rows.append(row)
    return rows


def import_items(*, supplier_id: int, actor_id: int, text: str, dry_run: bool) -> ImportReport:
    """Create or update items from CSV, all or nothing; `dry_run` only previews."""
    supplier, _who = access.get_supplier_for(actor_id, supplier_id)
    _check_can_edit(supplier)
    report = ImportReport(dry_run=dry_run, rows=parse_csv(text))
    s = db.session()
    existing = {
        item.sku: item for item in s.exec(select(Item).where(Item.supplier_id == supplier_id))
    }
    for row in report.rows:
        if row.sku in existing:
            row.action = "update"
            if row.data and row.data["kind"] != existing[row.sku].kind:
                row.errors.setdefault("kind", []).append("cannot change the kind of an item")
    if report.error_rows or dry_run:
        return report
    new_active = sum(1 for r in report.rows if r.action == "create" and r.data["is_active"])
    _check_probation_limit(supplier, new_active)
    _check_communities(
        sorted({c for r in report.rows for c in r.data.get("service_community_ids", [])})
    )
    created: list[Item] = []
    for row in report.rows:
        if row.action == "update":
            _update_from_row(existing[row.sku], row.data, actor_id)
        else:
            created.append(_new_item(supplier_id, row.data))
    s.add_all(created)
    s.flush()  # one batched INSERT … RETURNING for every new item
    s.add_all(
        StockMovement(
            item_id=item.id,
            delta=item.stock,
            stock_after=item.stock,
            reason="csv import",
            actor_id=actor_id,
        )
        for item in created
        if item.stock
    )
    s.flush()
    report.saved = True
    return report


def _update_from_row(item: Item, data: dict[str, Any], actor_id: int) -> None:
    """Apply an import row to an existing item; kind, stock and SKU stay. Logged per change."""
    changes = {k: v for k, v in data.items() if k not in {"kind", "stock", "sku"}}
    diff = _apply(item, changes)
    if diff:
        item.updated_at = db.utcnow()
        db.session().add(
            ItemChange(
                item_id=item.id, actor_id=actor_id, changes={**diff, "source": ["", "csv import"]}
            )
        )


def _preview_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_preview(*, owner_id: int, text: str) -> str:
    """Keep an uploaded CSV between its preview and the confirmation; returns its token."""
    token = f"{owner_id}-{secrets.token_hex(12)}"
    (_preview_dir() / f"{token}.csv").write_text(text, encoding="utf-8")
    return token


def read_preview(*, owner_id: int, token: str) -> str:
    """The CSV kept for this user under `token` (another user's token is NotFound)."""
    if not token.startswith(f"{owner_id}-") or not token.replace("-", "").isalnum():
        raise NotFound(_("No such preview."))
    path = _preview_dir() / f"{token}.csv"
    if not path.exists():
        raise ImportExpired(_("The preview has expired; upload the file again."))
    return path.read_text(encoding="utf-8")


def drop_preview(token: str | None) -> None:
    """Forget a kept CSV once it is imported."""
    if token and token.replace("-", "").isalnum():
        (_preview_dir() / f"{token}.csv").unlink(missing_ok=True)
