"""`flask payouts export`: approved withdrawals into a payout batch, as CSV for payroll."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import func, select

from fulfilment.models import Withdrawal
from fulfilment.services import payouts
from shop.core import db

payouts_group = AppGroup("payouts", help="Payouts of staff withdrawals.")


@payouts_group.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(out: Path) -> None:
    """Put every approved withdrawal into a new batch and write it as CSV (one commit)."""
    from flask import current_app

    currency = current_app.config["CURRENCY"]
    with db.unit_of_work() as s:  # the batch is paid only once its file is complete
        waiting = s.exec(
            select(func.count())
            .select_from(Withdrawal)
            .where(Withdrawal.status == "approved", Withdrawal.batch_id.is_(None))
        ).one()
        if not waiting:
            click.echo("No approved withdrawals to pay.")
            return
        with click.progressbar(length=waiting, label=f"posting {waiting} payouts") as bar:
            batch, _rows = payouts.export_payouts(actor_id=None, progress=bar.update)
        lines = payouts.payroll_rows(batch.id, currency)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".part")
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(payouts.CSV_COLUMNS)
            writer.writerows(lines)
    tmp.replace(out)
    click.echo(f"Batch {batch.id}: {batch.count} payouts, {batch.total_minor} minor units → {out}")
