"""Every error a user can see is in their language: WTForms', marshmallow's and our own."""

from __future__ import annotations

import pytest

from shop.core.i18n import _LIBRARY_MESSAGES, translate_errors, translate_message
from tests.conftest import csrf_token

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}


def test_library_messages_with_values_keep_their_values(app):
    with app.test_request_context(headers=ZH):
        assert translate_message("Longer than maximum length 60.") == "超过最大长度 60。"
        assert translate_message("Must be greater than or equal to 1.") == "须不小于 1。"
        assert translate_message("Missing data for required field.") == "此项必填。"
        assert translate_message("Something we never wrote.") == "Something we never wrote."
        tree = {"lines": {0: {"quantity": ["Not a valid integer."]}}, "x": ["Unknown field."]}
        assert translate_errors(tree) == {
            "lines": {0: {"quantity": ["不是有效的整数。"]}},
            "x": ["未知字段。"],
        }
    with app.test_request_context(headers=EN):
        assert (
            translate_message("Longer than maximum length 60.") == "Longer than maximum length 60."
        )


def test_what_marshmallow_really_writes_is_translated(app):
    """A marshmallow upgrade that rewords a message fails here, not on a resident's page."""
    from marshmallow import Schema, ValidationError, fields, validate

    class Everything(Schema):
        required = fields.String(required=True)
        null = fields.String(allow_none=False)
        text = fields.String()
        whole = fields.Integer(strict=True)
        number = fields.Float()
        flag = fields.Boolean()
        many = fields.List(fields.String())
        mapping = fields.Dict()
        email = fields.Email()
        url = fields.URL()
        day = fields.Date()
        moment = fields.DateTime()
        aware = fields.AwareDateTime()
        short = fields.String(validate=validate.Length(max=2))
        long = fields.String(validate=validate.Length(min=5))
        exact = fields.String(validate=validate.Length(equal=3))
        between = fields.String(validate=validate.Length(min=1, max=2))
        low = fields.Integer(validate=validate.Range(min=1))
        high = fields.Integer(validate=validate.Range(max=1))
        range = fields.Integer(validate=validate.Range(min=1, max=2))
        choice = fields.String(validate=validate.OneOf(["a", "b"]))
        pattern = fields.String(validate=validate.Regexp(r"^a$"))

    bad = {
        "null": None,
        "text": 1,
        "whole": "x",
        "number": "x",
        "flag": "x",
        "many": "x",
        "mapping": "x",
        "email": "x",
        "url": "x",
        "day": "x",
        "moment": "x",
        "aware": "2026-01-01T00:00:00",
        "short": "abc",
        "long": "a",
        "exact": "a",
        "between": "abc",
        "low": 0,
        "high": 2,
        "range": 3,
        "choice": "c",
        "pattern": "b",
        "stranger": 1,
    }
    with pytest.raises(ValidationError) as caught:
        Everything().load(bad)
    messages = {k: v[0] for k, v in caught.value.messages.items()}
    assert len(messages) == len(bad) + 1  # every field failed, and the unknown one
    with app.test_request_context(headers=ZH):
        untranslated = {k: m for k, m in messages.items() if translate_message(m) == m}
    assert untranslated == {}
    assert len(_LIBRARY_MESSAGES) > 30
    with app.test_request_context(headers=ZH):  # the most specific template wins
        assert translate_message(messages["between"]) == "长度须在 1 到 2 之间。"
        assert translate_message(messages["exact"]) == "长度须为 3。"
        assert "须" in translate_message(messages["range"])
        assert not any(
            word in translate_message(m) for m in messages.values() for word in ("between", "and ")
        )


def test_the_login_form_says_what_is_missing_in_chinese(client):
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "login": "", "password": ""}, headers=ZH
    )
    body = response.get_data(as_text=True)
    assert "This field is required." not in body
    assert "该字段是必填字段。" in body


def test_the_login_form_speaks_english_to_english_readers(client):
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "login": "", "password": ""}, headers=EN
    )
    assert "This field is required." in response.get_data(as_text=True)


def test_api_field_messages_follow_the_readers_language(client):
    zh = client.post("/api/v1/auth/token", json={"password": "x"}, headers=ZH)
    assert zh.status_code == 422
    assert zh.get_json()["error"]["fields"]["login"] == ["此项必填。"]
    en = client.post("/api/v1/auth/token", json={"password": "x"}, headers=EN)
    assert en.get_json()["error"]["fields"]["login"] == ["Missing data for required field."]
