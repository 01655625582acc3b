"""Forms of the kernel's pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email or phone, and password."""

    login = StringField(_l("Email or phone"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    next = HiddenField()


class LanguageForm(FlaskForm):
    """The language switch shown on every page."""

    locale = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A button that posts (logout, toggles): CSRF token only."""
