"""Accounts and community structure: users, roles, passwords, tokens, communities, residents."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from shop.core import db
from shop.core.errors import DomainError, Invalid, NotFound
from shop.core.models import (
    ApiToken,
    Building,
    CommitteeSeat,
    Community,
    ResidentProfile,
    Role,
    Segment,
    Unit,
    User,
    UserRole,
)
from shop.core.values import view_of

MIN_PASSWORD, MAX_PASSWORD = 8, 128
# Verifying against this when the login is unknown keeps the timing of both cases alike.
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    """Hash with the configured KDF (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _check_password_rules(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        rule = _("%(min)d–%(max)d characters.", min=MIN_PASSWORD, max=MAX_PASSWORD)
        raise Invalid(_("Password length is out of range."), fields={"password": [rule]})


def create_user(
    *,
    email: str,
    password: str,
    display_name: str,
    roles: Iterable[str],
    phone: str | None = None,
    locale: str | None = None,
) -> User:
    """Create a user holding `roles`. Raises Invalid for a taken email or phone."""
    email = email.strip().lower()
    _check_password_rules(password)
    taken = (
        db.session()
        .exec(
            select(User.id).where(
                or_(User.email == email, User.phone == phone) if phone else User.email == email
            )
        )
        .first()
    )
    if taken is not None:
        raise Invalid(
            _("This email or phone is already registered."),
            fields={"email": [_("Already registered.")]},
        )
    user = User(
        email=email,
        phone=phone,
        display_name=display_name,
        password_hash=hash_password(password),
        locale=locale,
    )
    user.role_rows = [UserRole(role=Role(r).value) for r in sorted(set(roles))]
    db.session().add(user)
    db.session().flush()
    return user


def get_user(user_id: int) -> User:
    """The user with `user_id`. Raises NotFound."""
    user = db.session().get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def find_user_by_email(email: str) -> User | None:
    """The user with this email, or None."""
    return db.session().exec(select(User).where(User.email == email.strip().lower())).first()


def authenticate(login: str, password: str) -> User | None:
    """The active user whose email or phone is `login` and whose password matches, else None."""
    login = login.strip().lower()
    user = (
        db.session().exec(select(User).where(or_(User.email == login, User.phone == login))).first()
    )
    if user is None or not user.is_active:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = hash_password(secrets.token_hex(8))
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def end_sessions(*, user_id: int) -> None:
    """Invalidate every web session cookie issued to the user so far."""
    user = get_user(user_id)
    user.session_version += 1
    db.session().flush()


def deactivate_user(*, user_id: int, actor_id: int, reason: str = "") -> User:
    """Close an account: no more logins, sessions or tokens; its records stay. Audited."""
    from shop.core import audit

    user = get_user(user_id)
    user.is_active = False
    user.session_version += 1
    audit.record(
        actor_id=actor_id,
        action="user.deactivated",
        subject_type="user",
        subject_id=user_id,
        data={"reason": reason},
    )
    db.session().flush()
    return user


def set_locale(*, user_id: int, locale: str) -> None:
    """Remember the user's language."""
    get_user(user_id).locale = locale
    db.session().flush()


def _token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def issue_token(*, user_id: int) -> tuple[str, ApiToken]:
    """A new bearer token for the user: the plain value (shown once) and its stored row."""
    plain = secrets.token_urlsafe(32)
    ttl = timedelta(days=int(current_app.config["API_TOKEN_TTL_DAYS"]))
    row = ApiToken(user_id=user_id, token_hash=_token_hash(plain), expires_at=db.utcnow() + ttl)
    db.session().add(row)
    db.session().flush()
    return plain, row


@dataclass(frozen=True)
class Identity:
    """Who a bearer token speaks for: the user's fields the app reads, and their roles.

    Flask-Login's user for an API call with a token. A frozen value, not a User row: an API
    call reads who is asking and never writes through it (changes go through services by id).
    """

    id: int
    email: str
    phone: str | None
    display_name: str
    locale: str | None
    session_version: int
    roles: frozenset[str]
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds at least one of `roles`."""
        return not self.roles.isdisjoint(roles)

    def get_id(self) -> str:
        """The session identity, as User.get_id gives it."""
        return f"{self.id}:{self.session_version}"


_tokens, _users, _user_roles = db.table(ApiToken), db.table(User), db.table(UserRole)
#: Read on every API call with a token: one plain statement, a row per role.
_TOKEN_IDENTITY = (
    sa_select(
        _tokens.c.id.label("token_id"),
        _tokens.c.expires_at,
        _tokens.c.revoked_at,
        _users.c.id,
        _users.c.email,
        _users.c.phone,
        _users.c.display_name,
        _users.c.locale,
        _users.c.session_version,
        _users.c.is_active,
        _user_roles.c.role,
    )
    .join_from(_tokens, _users, _users.c.id == _tokens.c.user_id)
    .outerjoin(_user_roles, _user_roles.c.user_id == _users.c.id)
    .where(_tokens.c.token_hash == bindparam("hash"))
)


def token_identity(plain: str) -> tuple[int, Identity] | None:
    """The live token of a plain bearer value (its id) and who it speaks for, in one read.

    None for an unknown, revoked or expired token, or a deactivated user.
    """
    rows = db.run(_TOKEN_IDENTITY, {"hash": _token_hash(plain)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked_at is not None or db.aware(first.expires_at) <= db.utcnow():
        return None
    if not first.is_active:
        return None
    roles = frozenset(r.role for r in rows if r.role is not None)
    return first.token_id, view_of(Identity, first, roles=roles)


def revoke_token(*, token_id: int) -> None:
    """Revoke a token; later requests carrying it get 401."""
    row = db.session().get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = db.utcnow()
        db.session().flush()


def create_community(
    *, code: str, name: str, address: str = "", timezone: str = "Asia/Shanghai"
) -> Community:
    """Create a community (小区)."""
    community = Community(code=code, name=name, address=address, timezone=timezone)
    db.session().add(community)
    db.session().flush()
    return community


def open_community(
    *, actor_id: int, code: str, name: str, address: str, timezone: str, service_hours: str
) -> Community:
    """The operator adds a compound; its code is unique (409 `code_taken`). Audited.

    Packages above hear of it (`signals.community_opened`): orders opens its delivery windows.
    """
    from shop.core import audit, signals

    s = db.session()
    if s.exec(select(Community.id).where(Community.code == code)).first() is not None:
        raise DomainError(_("This code is taken."), code="code_taken", fields={"code": [code]})
    community = Community(
        code=code, name=name, address=address, timezone=timezone, service_hours=service_hours
    )
    s.add(community)
    s.flush()
    audit.record(
        actor_id=actor_id,
        action="community.opened",
        subject_type="community",
        subject_id=community.id,
        data={"code": code, "name": name},
    )
    signals.community_opened.send(community.id)
    return community


def change_community(*, actor_id: int, community_id: int, changes: dict[str, str]) -> Community:
    """Rename a compound or change its address, time zone or service hours. Audited."""
    from shop.core import audit

    community = db.session().get(Community, community_id, with_for_update=True)
    if community is None:
        raise NotFound(_("No such community."))
    before = {k: getattr(community, k) for k in changes}
    for key, value in changes.items():
        setattr(community, key, value)
    audit.record(
        actor_id=actor_id,
        action="community.changed",
        subject_type="community",
        subject_id=community.id,
        data={"before": before, "after": dict(changes)},
    )
    db.session().flush()
    return community


def add_buildings(*, actor_id: int, community_id: int, names: list[str]) -> list[Building]:
    """Add buildings (楼栋) to a compound; a name already there is 409 `building_exists`."""
    from shop.core import audit

    s = db.session()
    if s.get(Community, community_id) is None:
        raise NotFound(_("No such community."))
    taken = set(
        s.exec(
            select(Building.name).where(
                Building.community_id == community_id, Building.name.in_(names)
            )
        )
    )
    if taken or len(set(names)) != len(names):
        raise DomainError(
            _("A building of this name is already there."),
            code="building_exists",
            fields={"names": sorted(taken) or [n for n in names if names.count(n) > 1]},
        )
    made = [add_building(community_id=community_id, name=n) for n in names]
    audit.record(
        actor_id=actor_id,
        action="community.buildings_added",
        subject_type="community",
        subject_id=community_id,
        data={"names": names},
    )
    return made


def add_building(*, community_id: int, name: str) -> Building:
    """Add a building to a community."""
    building = Building(community_id=community_id, name=name)
    db.session().add(building)
    db.session().flush()
    return building


def set_resident_profile(
    *, user_id: int, building_id: int, room: str, phone: str, segment: str = Segment.MASS.value
) -> ResidentProfile:
    """Record where a resident lives and their segment (creates or replaces)."""
    if db.session().get(Building, building_id) is None:
        raise Invalid(_("No such building."), fields={"building_id": [_("Unknown building.")]})
    profile = db.session().get(ResidentProfile, user_id) or ResidentProfile(
        user_id=user_id, building_id=building_id, room=room, phone=phone
    )
    profile.building_id, profile.room, profile.phone = building_id, room, phone
    profile.segment = Segment(segment).value
    profile.verified_at = profile.verified_at or db.utcnow()  # entered by the property
    db.session().add(profile)
    db.session().flush()
    return profile


def move_segment(*, user_id: int, segment: str, actor_id: int, reason: str) -> ResidentProfile:
    """Move a household into another segment (mass, premium, care), with its reason; audited.

    Who may do it is the caller's rule (the operator, or a butler of the household's grid).
    """
    from shop.core import audit

    profile = db.session().get(ResidentProfile, user_id, with_for_update=True)
    if profile is None:
        raise NotFound(_("No such resident."))
    if len(reason.strip()) < 2:
        raise Invalid(_("Say why."), fields={"reason": [_("Say why.")]})
    before = profile.segment
    profile.segment = Segment(segment).value
    audit.record(
        actor_id=actor_id,
        action="resident.segment_changed",
        subject_type="resident",
        subject_id=user_id,
        data={"from": before, "to": profile.segment, "reason": reason.strip()},
    )
    db.session().flush()
    return profile


def find_resident_profile(user_id: int) -> ResidentProfile | None:
    """The resident profile of a user, or None."""
    return db.session().get(ResidentProfile, user_id)


@dataclass(frozen=True)
class ResidentAddress:
    """Where a resident lives, with names ready to show."""

    community_id: int
    community: str
    building_id: int
    building: str
    room: str
    phone: str
    segment: str
    verified: bool = True


#: Read on every checkout: built once, plain columns (no ORM objects).
_profiles, _buildings, _communities = (
    db.table(ResidentProfile),
    db.table(Building),
    db.table(Community),
)
_ADDRESS = (
    sa_select(
        _communities.c.id.label("community_id"),
        _communities.c.name.label("community"),
        _buildings.c.id.label("building_id"),
        _buildings.c.name.label("building"),
        _profiles.c.room,
        _profiles.c.phone,
        _profiles.c.segment,
        _profiles.c.verified_at,
    )
    .join_from(_profiles, _buildings, _buildings.c.id == _profiles.c.building_id)
    .join(_communities, _communities.c.id == _buildings.c.community_id)
    .where(_profiles.c.user_id == bindparam("user"))
)


def find_resident_address(user_id: int) -> ResidentAddress | None:
    """The resident's community, building, room, phone and segment, or None."""
    row = db.run(_ADDRESS, {"user": user_id}).first()
    if row is None:
        return None
    return view_of(ResidentAddress, row, verified=row.verified_at is not None)


def count_users_by_role() -> dict[str, int]:
    """How many users hold each role."""
    rows = db.session().exec(select(UserRole.role, func.count()).group_by(UserRole.role))
    return dict(rows.all())


def display_names(user_ids: Iterable[int]) -> dict[int, str]:
    """The display names of these users, in one query."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    rows = db.session().exec(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return dict(rows.all())


def list_communities() -> list[Community]:
    """All communities, oldest first."""
    return list(db.session().exec(select(Community).order_by(Community.id)))


def get_community(community_id: int) -> Community:
    """The compound with this id. Raises NotFound."""
    community = db.session().get(Community, community_id)
    if community is None:
        raise NotFound(_("No such community."))
    return community


def list_buildings(community_id: int) -> list[Building]:
    """A community's buildings, by name."""
    return list(
        db.session().exec(
            select(Building).where(Building.community_id == community_id).order_by(Building.name)
        )
    )


def count_users() -> int:
    """How many users exist."""
    return db.session().exec(select(func.count()).select_from(User)).one()


def community_timezone(community_id: int) -> str:
    """The community's time zone name (the platform's when unknown)."""
    community = db.session().get(Community, community_id)
    return community.timezone if community else current_app.config["TIMEZONE"]


def user_ids_with_role(role: str) -> list[int]:
    """The ids of the active users holding `role`."""
    return list(
        db.session().exec(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.is_active)
            .order_by(User.id)
        )
    )


def add_units(*, actor_id: int, building_id: int, units: list[dict[str, str]]) -> list[Unit]:
    """Add homes of a building from the owner list, each with a fresh join code. Audited.

    A unit already there is 409 `unit_exists`.
    """
    from shop.core import audit

    s = db.session()
    if s.get(Building, building_id) is None:
        raise NotFound(_("No such building."))
    names = [u["name"] for u in units]
    taken = s.exec(
        select(Unit.name).where(Unit.building_id == building_id, Unit.name.in_(names))
    ).all()
    if taken or len(set(names)) != len(names):
        raise DomainError(
            _("This unit is on the list already."),
            code="unit_exists",
            fields={
                "units": sorted(set(taken)) or sorted({n for n in names if names.count(n) > 1})
            },
        )
    made = []
    for unit in units:
        row = Unit(
            building_id=building_id,
            name=unit["name"],
            owner_name=unit.get("owner_name", ""),
            owner_phone=unit.get("owner_phone", ""),
            join_code=f"{secrets.randbelow(10**6):06d}",
        )
        s.add(row)
        made.append(row)
    s.flush()
    audit.record(
        actor_id=actor_id,
        action="community.units_added",
        subject_type="building",
        subject_id=building_id,
        data={"units": names},
    )
    return made


def units_of(community_id: int) -> list[tuple[Unit, Building]]:
    """Every unit of a compound with its building, by building and unit name."""
    return list(
        db.session().exec(
            select(Unit, Building)
            .join(Building, Building.id == Unit.building_id)
            .where(Building.community_id == community_id)
            .order_by(Building.name, Unit.name)
        )
    )


def register_resident(*, phone: str, password: str, display_name: str, unit_id: int) -> User:
    """A resident signs up for a unit: they may browse at once, and order once verified.

    The login is the phone (taken: 422). The household is verified by its join code or by
    the property's approval.
    """
    s = db.session()
    unit = s.get(Unit, unit_id)
    if unit is None:
        raise Invalid(_("Pick your home from the list."), fields={"unit_id": [_("Unknown unit.")]})
    user = create_user(
        email=f"{phone.replace(' ', '').replace('-', '')}@resident.invalid",
        password=password,
        display_name=display_name,
        roles=["resident"],
        phone=phone,
    )
    s.add(
        ResidentProfile(
            user_id=user.id,
            building_id=unit.building_id,
            room=unit.name,
            phone=phone,
            unit_id=unit.id,
            # The owner list is the property's own record: its owner's phone proves the home.
            verified_at=db.utcnow() if unit.owner_phone and unit.owner_phone == phone else None,
        )
    )
    s.flush()
    return user


def verify_with_code(*, user_id: int, code: str) -> bool:
    """The household's join code from the property's notice verifies it; False if wrong."""
    profile = db.session().get(ResidentProfile, user_id, with_for_update=True)
    if profile is None or profile.unit_id is None:
        raise NotFound(_("No such resident."))
    if profile.verified_at is not None:
        return True
    unit = db.session().get(Unit, profile.unit_id)
    if not secrets.compare_digest(unit.join_code, code.strip()):
        return False
    profile.verified_at = db.utcnow()
    db.session().flush()
    return True


def approve_resident(*, user_id: int, actor_id: int) -> None:
    """The property (a butler of the grid, or the operator) confirms the household. Audited."""
    from shop.core import audit

    profile = db.session().get(ResidentProfile, user_id, with_for_update=True)
    if profile is None:
        raise NotFound(_("No such resident."))
    if profile.verified_at is None:
        profile.verified_at = db.utcnow()
        audit.record(
            actor_id=actor_id,
            action="resident.verified",
            subject_type="resident",
            subject_id=user_id,
            data={"room": profile.room},
        )
    db.session().flush()


def waiting_residents(building_ids: list[int] | None = None) -> list[tuple[User, ResidentProfile]]:
    """Residents not yet verified (of these buildings), oldest first."""
    stmt = (
        select(User, ResidentProfile)
        .join(ResidentProfile, ResidentProfile.user_id == User.id)
        .where(ResidentProfile.verified_at.is_(None), User.is_active)
        .order_by(User.id)
    )
    if building_ids is not None:
        stmt = stmt.where(ResidentProfile.building_id.in_(building_ids))
    return list(db.session().exec(stmt))


@dataclass(frozen=True)
class Household:
    """A resident's household as the segment page lists it."""

    user_id: int
    display_name: str
    building: str
    room: str
    phone: str
    segment: str
    verified: bool


def find_households(
    *, building_ids: list[int] | None, query: str = "", page: int = 1, per_page: int = 30
) -> tuple[list[Household], int]:
    """Active residents (of these buildings), matched by name, phone or room; and the count."""
    stmt = (
        select(User, ResidentProfile, Building.name)
        .join(ResidentProfile, ResidentProfile.user_id == User.id)
        .join(Building, Building.id == ResidentProfile.building_id)
        .where(User.is_active)
    )
    if building_ids is not None:
        stmt = stmt.where(ResidentProfile.building_id.in_(building_ids))
    if query.strip():
        q = query.strip()
        stmt = stmt.where(
            or_(
                User.display_name.contains(q, autoescape=True),
                ResidentProfile.phone.contains(q, autoescape=True),
                ResidentProfile.room.contains(q, autoescape=True),
            )
        )
    rows, total = db.page(
        stmt.order_by(Building.name, ResidentProfile.room, User.id), page, per_page
    )
    return [
        Household(u.id, u.display_name, name, p.room, p.phone, p.segment, p.verified_at is not None)
        for u, p, name in rows
    ], total


UNIT_CSV_COLUMNS = ("building", "unit", "owner_name", "owner_phone")
MAX_UNIT_ROWS = 20_000


@dataclass
class UnitRow:
    """One line of an owner-list CSV and what is wrong with it."""

    line: int
    building: str
    unit: str
    owner_name: str
    owner_phone: str
    errors: list[str]


def read_unit_csv(text: str) -> list[UnitRow]:
    """The property's owner list (building, unit, owner_name, owner_phone), line by line.

    Each line carries what is wrong with it; a UTF-8 BOM and blank lines are fine.
    """
    import csv
    import io
    import re

    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"building", "unit"} - set(reader.fieldnames or ())
    if missing:
        message = _("Missing columns: %(names)s", names=", ".join(sorted(missing)))
        raise Invalid(message, fields={"file": [message]})
    rows: list[UnitRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_UNIT_ROWS:
            message = _("At most %(n)d rows per file.", n=MAX_UNIT_ROWS)
            raise Invalid(message, fields={"file": [message]})
        values = {k: (raw.get(k) or "").strip() for k in UNIT_CSV_COLUMNS}
        if not any(values.values()):
            continue
        row = UnitRow(
            line,
            values["building"],
            values["unit"],
            values["owner_name"],
            values["owner_phone"],
            [],
        )
        if not 1 <= len(row.building) <= 50:
            row.errors.append(_("building: 1–50 characters."))
        if not 1 <= len(row.unit) <= 20:
            row.errors.append(_("unit: 1–20 characters."))
        if len(row.owner_name) > 80:
            row.errors.append(_("owner_name: at most 80 characters."))
        if row.owner_phone and not re.fullmatch(r"\+?[0-9 -]{7,20}", row.owner_phone):
            row.errors.append(_("owner_phone: not a phone number."))
        key = (row.building, row.unit)
        if key in seen:
            row.errors.append(_("Duplicate of line %(line)d in this file.", line=seen[key]))
        seen.setdefault(key, line)
        rows.append(row)
    return rows


def import_units(
    *,
    actor_id: int,
    community_id: int,
    text: str,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[UnitRow], int]:
    """Import the owner list, all or nothing: (rows with their errors, units created).

    Buildings missing from the compound are added; units already listed are errors. With
    `dry_run` nothing is written. `progress(n)` is called as rows are saved (the CLI's bar).
    """
    from shop.core import audit

    get_community(community_id)
    rows = read_unit_csv(text)
    buildings = {b.name: b for b in list_buildings(community_id)}
    existing = {(b.name, u.name) for u, b in units_of(community_id)}
    for row in rows:
        if (row.building, row.unit) in existing:
            row.errors.append(_("This unit is on the list already."))
    if dry_run or any(r.errors for r in rows):
        return rows, 0
    s = db.session()
    for row in rows:
        if row.building not in buildings:
            buildings[row.building] = add_building(community_id=community_id, name=row.building)
        s.add(
            Unit(
                building_id=buildings[row.building].id,
                name=row.unit,
                owner_name=row.owner_name,
                owner_phone=row.owner_phone,
                join_code=f"{secrets.randbelow(10**6):06d}",
            )
        )
        if progress:
            progress(1)
    s.flush()
    audit.record(
        actor_id=actor_id,
        action="community.units_imported",
        subject_type="community",
        subject_id=community_id,
        data={"units": len(rows)},
    )
    return rows, len(rows)


def seat_committee(*, user_id: int, community_id: int) -> None:
    """Make the login speak for this compound's owners' committee (role `committee`)."""
    get_community(community_id)
    s = db.session()
    seat = s.get(CommitteeSeat, user_id) or CommitteeSeat(user_id=user_id, community_id=0)
    seat.community_id = community_id
    s.add(seat)
    if s.get(UserRole, (user_id, Role.COMMITTEE.value)) is None:
        s.add(UserRole(user_id=user_id, role=Role.COMMITTEE.value))
    s.flush()


def committee_compound(user_id: int) -> int | None:
    """The compound this committee login speaks for, or None."""
    seat = db.session().get(CommitteeSeat, user_id)
    return seat.community_id if seat else None
