"""The one process engine: a process is a table of transitions, applied and recorded alike.

Every process of the platform (a supplier's vetting, an order, a staff task, a service
request, and next the custom batches) is data: from which status an action leads to which,
which actor roles may take it, which guards it must pass and which effects follow. `apply`
checks the table, runs the guards, moves the subject and appends one event row; the
packages keep only their rules (guards) and their consequences (effects).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from shop.core import db
from shop.core.db import utcnow
from shop.core.errors import DomainError, Forbidden

#: A guard or an effect: called with the subject and the call's context (who, why, data).
Hook = Callable[[Any, "Context"], None]


@dataclass(frozen=True)
class Transition:
    """One allowed step: from a status, by an action, to a status, for these actor roles.

    `guards` name checks that may refuse the step; `effects` name what follows it (an order
    milestone a task step reports, a signal). Both are names, so the table reads as text.
    """

    source: str
    action: str
    target: str
    actors: frozenset[str]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()


def step(
    source: str,
    action: str,
    target: str,
    actors: str,
    *,
    guards: tuple[str, ...] = (),
    effects: tuple[str, ...] = (),
) -> Transition:
    """A table row: actor roles separated by spaces ("resident operator")."""
    return Transition(source, action, target, frozenset(actors.split()), guards, effects)


@dataclass(frozen=True)
class Context:
    """Who takes a step and with what: what guards and effects see."""

    actor_role: str
    actor_id: int | None
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Process:
    """A process: its table, its event table and what it says when a step is refused."""

    name: str
    transitions: tuple[Transition, ...]
    #: The event model and the name of its column that points at the subject ("order_id").
    event: type[EventRow]
    subject_column: str
    #: The error code and message of a step the table does not have (409).
    refused_code: str
    refused: Callable[[str, str], str]
    #: The message of a step the actor's role may not take (403).
    forbidden: Callable[[], str]
    guards: Mapping[str, Hook] = field(default_factory=dict)
    effects: Mapping[str, Hook] = field(default_factory=dict)
    #: Targets that are not statuses, resolved per subject (the supplier's "previous").
    targets: Mapping[str, Callable[[Any, Transition], str]] = field(default_factory=dict)

    def find(self, status: str, action: str) -> Transition | None:
        """The transition for `action` from `status`, or None if the table has none."""
        return next(
            (t for t in self.transitions if t.source == status and t.action == action), None
        )

    def actions_for(self, status: str, actor_role: str) -> list[str]:
        """The actions `actor_role` may take from `status`, in table order."""
        return [t.action for t in self.transitions if t.source == status and actor_role in t.actors]

    def record(
        self,
        subject: Any,
        action: str,
        ctx: Context,
        *,
        previous: str | None = None,
    ) -> EventRow:
        """Append an event for `subject` as it is now (a step, or a note that moves nothing)."""
        event = self.event(
            **{self.subject_column: subject.id},
            actor_id=ctx.actor_id,
            actor_role=ctx.actor_role,
            action=action,
            from_status=subject.status if previous is None else previous,
            to_status=subject.status,
            data=dict(ctx.data),
            **({"reason": ctx.reason.strip()} if "reason" in self.event.model_fields else {}),
        )
        db.insert_row(event)  # append-only: one INSERT now, no flush
        return event

    def note(
        self,
        subject: Any,
        action: str,
        actor_role: str,
        actor_id: int | None,
        *,
        previous: str,
        data: Mapping[str, Any] | None = None,
    ) -> EventRow:
        """Record an event that moves nothing (opened, a wrong code, a promise missed)."""
        ctx = Context(actor_role, actor_id, data=dict(data or {}))
        return self.record(subject, action, ctx, previous=previous)

    def apply(
        self,
        subject: Any,
        action: str,
        actor_role: str,
        actor_id: int | None,
        *,
        reason: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> tuple[Transition, EventRow]:
        """Take one step by the table, recording one event row.

        409 if the table has no such step, 403 for the wrong role; then the guards (which may
        refuse), the move, the event and the effects.
        """
        transition = self.find(subject.status, action)
        if transition is None:
            raise DomainError(self.refused(subject.status, action), code=self.refused_code)
        if actor_role not in transition.actors:
            raise Forbidden(self.forbidden())
        ctx = Context(actor_role, actor_id, reason, dict(data or {}))
        for name in transition.guards:
            self.guards[name](subject, ctx)
        previous = subject.status
        resolver = self.targets.get(transition.target)
        subject.status = resolver(subject, transition) if resolver else transition.target
        event = self.record(subject, action, ctx, previous=previous)
        for name in transition.effects:
            if name in self.effects:  # the others are the caller's (an order milestone)
                self.effects[name](subject, ctx)
        return transition, event

    def table(self) -> list[tuple[str, str, str, str, str]]:
        """The table as text rows (from, action, to, who, guards and effects), for the docs."""
        return [
            (
                t.source or "(new)",
                t.action,
                t.target,
                " ".join(sorted(t.actors)),
                ", ".join((*t.guards, *t.effects)),
            )
            for t in self.transitions
        ]


class EventRow(SQLModel):
    """The columns every process's append-only event table has.

    A mixin: each table adds its subject's foreign key (and the supplier's its reason).
    """

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="core_user.id")
    actor_role: str = Field(max_length=20)
    action: str = Field(max_length=30)
    from_status: str = Field(max_length=24)
    to_status: str = Field(max_length=24)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)


_REGISTRY: dict[str, Process] = {}


def register(process: Process) -> Process:
    """Make a process known (for the docs' tables); a name is taken once."""
    if _REGISTRY.get(process.name, process) is not process:
        raise RuntimeError(f"a process named {process.name!r} exists already")
    _REGISTRY[process.name] = process
    return process


def processes() -> list[Process]:
    """Every registered process, by name."""
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def markdown_tables() -> str:
    """Every process's table as Markdown (docs/architecture.md carries it, generated)."""
    out: list[str] = []
    for proc in processes():
        out += [
            f"#### {proc.name} (`{proc.event.__tablename__}`)",
            "",
            "| from | action | to | who | guards, effects |",
            "|---|---|---|---|---|",
        ]
        out += ["| " + " | ".join(row) + " |" for row in proc.table()]
        out.append("")
    return "\n".join(out).rstrip("\n")
