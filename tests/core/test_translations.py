"""Every user-facing string in the code has a Chinese translation; English is the source."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "shop" / "core" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _source_messages() -> set[str]:
    found = set()
    for package in ("shop", "suppliers", "orders", "fulfilment"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, METHODS, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(lang: str):
    data = (CATALOGS / lang / "LC_MESSAGES" / "messages.po").read_bytes()
    return read_po(io.BytesIO(data))


def test_every_string_in_the_code_is_translated_to_chinese():
    zh = _catalog("zh")
    source = _source_messages()
    assert "Log in" in source and len(source) > 50  # the extraction really read the code

    def translated(message: str) -> bool:
        entry = zh.get(message)
        if entry is None:
            return False
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        return all(forms)  # every plural form too

    untranslated = sorted(m for m in source if not translated(m))
    assert untranslated == [], "run `make i18n-extract` and translate these in zh/messages.po"


def test_the_english_catalog_exists_for_the_switch():
    en = _catalog("en")
    assert str(en.locale) == "en" and len(en) > 100  # every message, in English as written


def test_money_words_mean_money_on_the_staff_pages():
    """The wallet's button is 提现 (withdraw money), never 下架 (take off sale)."""
    zh = _catalog("zh")
    assert zh.get("Withdraw").string == "提现"
    assert zh.get("Take off sale").string == "下架"
    wallet = (ROOT / "fulfilment" / "templates" / "fulfilment" / "wallet.html").read_text()
    assert '_("Withdraw")' in wallet and "Take off sale" not in wallet


def test_a_plain_install_without_compiled_catalogs_still_serves_chinese(tmp_path):
    """The wheel ships .po files only: the first start compiles them."""
    import shutil

    from babel.support import Translations

    from shop.core.i18n import compile_catalogs

    source = tmp_path / "translations"
    shutil.copytree(CATALOGS, source, ignore=shutil.ignore_patterns("*.mo"))
    assert not list(source.glob("*/LC_MESSAGES/messages.mo"))
    used = compile_catalogs(source, tmp_path / "instance")
    assert used == source
    zh = Translations.load(str(used), ["zh"])
    assert zh.gettext("Log in") == "登录"
    assert compile_catalogs(source, tmp_path / "instance") == source  # nothing stale now


def test_catalogs_compile_into_the_instance_folder_when_the_package_is_read_only(
    tmp_path, monkeypatch
):
    import shutil
    from pathlib import Path

    from babel.support import Translations

    from shop.core.i18n import compile_catalogs

    source = tmp_path / "site-packages"
    shutil.copytree(CATALOGS, source, ignore=shutil.ignore_patterns("*.mo"))
    real_open = Path.open

    def read_only(self, mode="r", *args, **kwargs):
        if "w" in mode and source in self.parents:
            raise PermissionError(self)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", read_only)
    used = compile_catalogs(source, tmp_path / "instance")
    assert used == tmp_path / "instance"
    assert Translations.load(str(used), ["zh"]).gettext("Log in") == "登录"


def test_a_short_word_means_one_thing_wherever_it_is_used():
    """ "Open" on the categories page is 开放, not the statements' 本期进行中 (a field-walk slip);
    the statement's running period has its own message."""
    zh = _catalog("zh")
    assert zh.get("Open").string == "开放"
    assert zh.get("Running (this period)").string == "本期进行中"
    assert zh.get("Name").string == "姓名"  # a person's: the policy and compound have their own
    assert zh.get("Policy name").string and zh.get("Compound name").string == "小区名称"
