"""The Simplified Chinese catalogue: complete, faithful to its placeholders,
and used by the pages."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = ("accounts", "config", "marketplace", "matching", "dashboards", "demo", "textkit", "templates", "manage.py")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{?\s*[a-z_.]+\s*\}?\}")


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].encode().decode("unicode_escape").encode("latin-1").decode()


def catalogue(path: Path = PO) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (list) and flags."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": "", "msgstr": []}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural"):
            field, entry["msgid_plural"] = "msgid_plural", _unquote(line)
        elif line.startswith("msgid"):
            field, entry["msgid"] = "msgid", _unquote(line)
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(_unquote(line))
        elif line.startswith('"') and field == "msgstr":
            entry["msgstr"][-1] += _unquote(line)
        elif line.startswith('"') and field:
            entry[field] += _unquote(line)
    return [entry for entry in entries if entry["msgid"]]


def test_every_string_has_a_chinese_translation():
    untranslated = [e["msgid"] for e in catalogue() if not all(e["msgstr"]) or "fuzzy" in e["flags"]]

    assert untranslated == [], f"{len(untranslated)} strings without a reviewed translation"


def test_translations_keep_their_placeholders():
    broken = []
    for entry in catalogue():
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        plural = sorted(PLACEHOLDER.findall(entry.get("msgid_plural", "")))
        for text in entry["msgstr"]:
            found = sorted(PLACEHOLDER.findall(text))
            if found != wanted and found != plural:
                broken.append((entry["msgid"], text))

    assert broken == []


def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the sources finds no string the catalogue
    lacks: a newly marked text fails here until it is translated."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete", "--verbosity", "0"],
        cwd=tmp_path,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test", "HOME": str(tmp_path)},
    )
    fresh = {e["msgid"] for e in catalogue(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")}
    committed = {e["msgid"] for e in catalogue()}

    missing = sorted(fresh - committed)
    assert missing == [], f"marked but not in the catalogue (run makemessages, then translate): {missing[:10]}"


@pytest.mark.django_db
def test_the_pages_speak_chinese_when_asked(client):
    client.cookies["django_language"] = "zh-hans"

    html = client.get(reverse("marketplace:catalogue")).content.decode()

    assert '<html lang="zh-hans"' in html
    assert "能力" in html, "no Chinese text: is the catalogue compiled? (make messages; make test does it)"


def test_every_model_and_field_label_is_translatable():
    """Admin pages and forms show these labels: each must be a lazy translation."""
    from django.apps import apps
    from django.utils.functional import Promise

    plain = []
    for model in apps.get_models():
        if model._meta.app_label not in {"accounts", "marketplace", "matching"}:
            continue
        labels = {"(model)": model._meta.verbose_name, "(models)": model._meta.verbose_name_plural}
        labels |= {
            field.name: field.verbose_name
            for field in model._meta.get_fields()
            if field.concrete and not field.auto_created
        }
        plain += [f"{model.__name__}.{name}" for name, label in labels.items() if not isinstance(label, Promise)]

    assert plain == []


def test_lists_and_dates_follow_the_language():
    import datetime

    from django.utils import formats, translation

    from config.text import human_list

    day = datetime.date(2026, 11, 27)
    with translation.override("zh-hans"):
        assert human_list(["数据", "算力"]) == "数据、算力"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2026年11月27日"
    with translation.override("en"):
        assert human_list(["data", "compute"]) == "data, compute"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "27 Nov 2026"
