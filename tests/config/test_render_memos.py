"""What the pages keep between requests to render faster must never show one
language's, one selection's or one organisation's content to another: the
filter forms' memoized <select>s and the choice-label tables."""

import re

import pytest
from django import forms
from django.utils import translation

from accounts.choices import Industry, Province
from config.widgets import MemoizedSelect
from marketplace.choices import CapabilityKind
from marketplace.forms import CatalogueFilterForm, NeedsFilterForm
from tests.marketplace.factories import CapabilityFactory, NeedFactory


@pytest.fixture(autouse=True)
def _empty_memo():
    MemoizedSelect._memo.clear()
    yield
    MemoizedSelect._memo.clear()


def _plain(form_class, data, name: str) -> str:
    """The field as Django's own Select renders it, without the memo."""
    form = form_class(data)
    field = form.fields[name]
    field.widget = forms.Select(choices=field.choices)
    return str(form[name])


def _selected(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"[^>]*selected', html)


@pytest.mark.parametrize("form_class", [CatalogueFilterForm, NeedsFilterForm])
def test_memoized_selects_render_as_django_does_in_each_language(form_class):
    data = {"region": "zhejiang", "industry": "manufacturing", "kind": "api"}
    for language in ("zh-hans", "en", "zh-hans", "en"):  # the second round comes from the memo
        with translation.override(language):
            for name in ("region", "industry", "kind"):
                assert str(form_class(data)[name]) == _plain(form_class, data, name)
    assert MemoizedSelect._memo  # the rounds were memoized


def test_a_chinese_option_list_is_never_served_to_an_english_page():
    with translation.override("zh-hans"):
        chinese = str(CatalogueFilterForm({})["region"])
    with translation.override("en"):
        english = str(CatalogueFilterForm({})["region"])
    assert "浙江" in chinese and "全国" in chinese
    assert "Zhejiang" in english and "Anywhere in China" in english
    assert "浙江" not in english and "Zhejiang" not in chinese


def test_the_selection_is_each_request_own():
    with translation.override("en"):
        zhejiang = str(CatalogueFilterForm({"region": "zhejiang"})["region"])
        sichuan = str(CatalogueFilterForm({"region": "sichuan"})["region"])
        anywhere = str(CatalogueFilterForm({})["region"])
    assert _selected(zhejiang) == ["zhejiang"]
    assert _selected(sichuan) == ["sichuan"]
    assert _selected(anywhere) == [""]


def test_changed_labels_render_anew():
    """The kind and access lists carry the result counts: other counts, another list."""
    with translation.override("en"):
        first = CatalogueFilterForm({})
        first.label_choices_with_counts({"kind": {"api": 3}})
        second = CatalogueFilterForm({})
        second.label_choices_with_counts({"kind": {"api": 7}})
        assert "API (3)" in str(first["kind"])
        assert "API (7)" in str(second["kind"])


def test_the_memo_is_bounded():
    widget = MemoizedSelect(choices=[(str(n), str(n)) for n in range(3)])
    for n in range(MemoizedSelect.MEMO_SIZE + 10):
        widget.render(f"field{n}", "1")
    assert len(MemoizedSelect._memo) <= MemoizedSelect.MEMO_SIZE


def test_catalogue_pages_in_both_languages_keep_their_own_filters(client, db):
    CapabilityFactory(title="Invoice OCR")
    chinese = client.get("/capabilities/?region=sichuan", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/capabilities/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    again = client.get("/capabilities/?region=sichuan", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "全国" in chinese and "Anywhere in China" not in chinese
    assert "Anywhere in China" in english and "全国" not in english
    assert 'value="sichuan" selected' in chinese and 'value="sichuan" selected' not in english
    assert _region_select(again) == _region_select(chinese)


def _region_select(page: str) -> str:
    return re.search(r'<select name="region".*?</select>', page, re.S).group(0)


def test_listing_choice_labels_follow_the_language(db):
    capability = CapabilityFactory(kind=CapabilityKind.COMPUTE)
    need = NeedFactory(region=Province.ZHEJIANG, industry=Industry.MANUFACTURING)
    with translation.override("en"):
        assert capability.get_kind_display() == "Computing power"
        assert need.get_region_display() == "Zhejiang"
    with translation.override("zh-hans"):
        assert capability.get_kind_display() == str(CapabilityKind.COMPUTE.label)
        assert capability.get_kind_display() != "Computing power"
        assert need.get_region_display() == "浙江"


def test_a_value_outside_the_choices_shows_as_it_is(db):
    capability = CapabilityFactory()
    capability.kind = "retired-kind"
    assert capability.get_kind_display() == "retired-kind"


def test_replaced_choices_are_read_afresh(db):
    capability = CapabilityFactory(kind=CapabilityKind.API)
    field = type(capability)._meta.get_field("kind")
    original = field.choices
    assert capability.get_kind_display() == "API"
    try:
        field.choices = [("api", "Programming interface")]
        assert capability.get_kind_display() == "Programming interface"
    finally:
        field.choices = original
    assert capability.get_kind_display() == "API"
