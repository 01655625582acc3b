"""The kernel's pages: login, logout, the language switch and the landing page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from shop.core import accounts, db, notifications
from shop.core.auth import login_required
from shop.core.boundary import id_value
from shop.core.errors import DomainError
from shop.core.forms import EmptyForm, LanguageForm, LoginForm
from shop.core.ratelimit import limiter, login_limits
from shop.core.web import homes_for, register_helpers, safe_next

bp = Blueprint(
    "core",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/core",
)


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers and crawlers ask for /favicon.ico whatever the page says: the SVG icon."""
    return redirect(url_for("core.static", filename="favicon.svg"), code=301)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Logged in: the first of the user's role home pages. Otherwise, the landing page."""
    if current_user.is_authenticated:
        homes = homes_for(current_user.roles)
        if homes:
            return redirect(url_for(homes[0].endpoint))
    return render_template("core/landing.html")


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login() -> ResponseReturnValue:
    """The login form (email or phone, password)."""
    form = LoginForm()
    if not form.is_submitted():
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = accounts.authenticate(form.login.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            session.pop("locale", None)
            return redirect(safe_next(form.next.data) or url_for("core.index"))
        g.login_failed = True
        flash(_("Wrong login or password."), "error")
    return render_template("core/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="signup")
def register() -> ResponseReturnValue:
    """A resident signs up: pick the compound, then the home, with phone and password."""
    from shop.core.i18n import translate_errors
    from shop.core.schemas import RegisterSchema
    from shop.core.web import load_form, typed_values

    community_id = request.args.get("community_id", type=id_value)
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = typed_values()
        data, errors = load_form(RegisterSchema())  # CSRF, ints, messages in the reader's tongue
        if not errors:
            try:
                user = accounts.register_resident(**data)
            except DomainError as exc:
                db.refused(exc)
                errors = translate_errors(exc.fields) or {"_schema": [exc.message]}
            else:
                login_user(user)
                flash(_("Welcome! You can browse now; verify your home to order."), "info")
                return redirect(url_for("core.verify_home"))
    units = accounts.units_of(community_id) if community_id else []
    return render_template(
        "core/register.html",
        communities=accounts.list_communities(),
        community_id=community_id,
        units=units,
        values=values,
        errors=errors,
    ), 422 if errors else 200


@bp.route("/verify", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], scope="verify-home")
def verify_home() -> ResponseReturnValue:
    """Verify my home with the code on the property's notice (or wait for the butler)."""
    from shop.core.schemas import VerifyForm
    from shop.core.web import load_form

    address = accounts.find_resident_address(current_user.id)
    if address is None:
        abort(404)
    error = ""
    if request.method == "POST" and not address.verified:
        form, _errors = load_form(VerifyForm(), drop_empty=False)  # a bad code is just wrong
        if accounts.verify_with_code(user_id=current_user.id, code=form.get("code", "")):
            flash(_("Your home is verified. You can order now."), "info")
            return redirect(url_for("core.index"))
        error = _("This is not your home's code.")
    return render_template("core/verify.html", address=address, error=error), 422 if error else 200


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """End this session, and every other session cookie of the user."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    accounts.end_sessions(user_id=current_user.id)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.login"))


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    """Switch the language; remembered on the account when logged in."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.locale.data not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        accounts.set_locale(user_id=current_user.id, locale=form.locale.data)
    else:
        session["locale"] = form.locale.data
    return redirect(safe_next(form.next.data) or url_for("core.index"))


@bp.route("/inbox", methods=["GET", "POST"])
@login_required
def inbox() -> ResponseReturnValue:
    """My messages, newest first; "mark all read" clears the bell."""
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        notifications.mark_read(current_user.id)
        return redirect(url_for("core.inbox"), code=303)
    return render_template("core/inbox.html", messages=notifications.inbox(current_user.id))


def init_app(app: Flask) -> None:
    """Mount the kernel's pages."""
    app.register_blueprint(bp)
    register_helpers(app, language_form=LanguageForm, empty_form=EmptyForm)
