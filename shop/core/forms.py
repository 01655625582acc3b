"""Forms of the kernel's pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from shop.core.i18n import WTFormsTranslations


class Form(FlaskForm):
    """Every page form: CSRF-protected, and WTForms' messages in the reader's language."""

    class Meta(FlaskForm.Meta):
        """WTForms' catalog is cached per locale instead of re-read per request."""

        def get_translations(self, form: Any) -> WTFormsTranslations:
            """The request's language."""
            return WTFormsTranslations()


class LoginForm(Form):
    """Email or phone, and password."""

    login = StringField(_l("Email or phone"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    next = HiddenField()


class LanguageForm(Form):
    """The language switch shown on every page."""

    locale = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class EmptyForm(Form):
    """A button that posts (logout, toggles): CSRF token only."""
