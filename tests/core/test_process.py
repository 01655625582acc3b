"""The kernel's process engine: the table decides, guards may refuse, one event per step,
effects after it; every package's process runs on it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from shop.core import process
from shop.core.errors import DomainError, Forbidden, Invalid
from shop.core.process import Context, EventRow, Process, step


@dataclass
class Thing:
    id: int
    status: str


def _machine(calls: list[str]) -> Process:
    def reason_given(_thing: Thing, ctx: Context) -> None:
        calls.append("guard")
        if not ctx.reason:
            raise Invalid("why?", fields={"reason": ["why?"]})

    def tell(thing: Thing, _ctx: Context) -> None:
        calls.append(f"effect:{thing.status}")

    return Process(
        name="thing",
        transitions=(
            step("new", "start", "running", "staff"),
            step(
                "running",
                "stop",
                "stopped",
                "staff manager",
                guards=("reason_given",),
                effects=("tell", "report:done"),
            ),
            step("stopped", "undo", "previous", "manager"),
        ),
        event=EventRow,
        subject_column="thing_id",
        refused_code="thing_step",
        refused=lambda status, action: f"{status} cannot {action}",
        forbidden=lambda: "not yours",
        guards={"reason_given": reason_given},
        effects={"tell": tell},
        targets={"previous": lambda _thing, _t: "running"},
    )


@pytest.fixture
def recorded(monkeypatch):
    rows: list[tuple[str, str, str, str]] = []

    def record(self, subject, action, ctx, *, previous=None):
        rows.append((action, previous, subject.status, ctx.actor_role))
        return rows[-1]

    monkeypatch.setattr(Process, "record", record)
    return rows


def test_a_step_moves_the_subject_records_one_event_then_runs_its_effects(recorded):
    calls: list[str] = []
    machine, thing = _machine(calls), Thing(1, "running")
    transition, _event = machine.apply(thing, "stop", "manager", 7, reason="done for today")
    assert thing.status == "stopped" and transition.target == "stopped"
    assert recorded == [("stop", "running", "stopped", "manager")]
    assert calls == ["guard", "effect:stopped"]  # "report:done" is the caller's to carry out


def test_the_table_refuses_what_it_lacks_and_roles_it_does_not_name(recorded):
    machine, thing = _machine([]), Thing(1, "new")
    with pytest.raises(DomainError) as missing:
        machine.apply(thing, "stop", "staff", 1, reason="x")
    assert missing.value.code == "thing_step" and missing.value.status == 409
    with pytest.raises(Forbidden):
        machine.apply(thing, "start", "manager", 1)
    assert thing.status == "new" and recorded == []


def test_a_guard_that_refuses_changes_nothing(recorded):
    calls: list[str] = []
    machine, thing = _machine(calls), Thing(1, "running")
    with pytest.raises(Invalid):
        machine.apply(thing, "stop", "staff", 1)
    assert thing.status == "running" and recorded == [] and calls == ["guard"]


def test_a_named_target_is_resolved_per_subject(recorded):
    machine, thing = _machine([]), Thing(1, "stopped")
    machine.apply(thing, "undo", "manager", 1)
    assert thing.status == "running"


def test_the_table_reads_as_text_for_the_docs():
    machine = _machine([])
    assert machine.actions_for("running", "staff") == ["stop"]
    assert machine.table()[1] == (
        "running",
        "stop",
        "stopped",
        "manager staff",
        "reason_given, tell, report:done",
    )


def test_every_package_process_is_on_the_engine_with_one_event_row_shape(app):
    names = [p.name for p in process.processes()]
    assert names == ["batch", "demand", "order", "pledge", "service request", "supplier", "task"]
    shared = set(EventRow.model_fields)
    for proc in process.processes():
        assert issubclass(proc.event, EventRow) and shared <= set(proc.event.model_fields)
        for t in proc.transitions:
            assert all(g in proc.guards for g in t.guards), (proc.name, t)
    with pytest.raises(RuntimeError, match="order"):
        process.register(replace(_machine([]), name="order"))
