from django import forms

from accounts.templatetags.tandem_forms import error_summary


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    def clean(self):
        raise forms.ValidationError("Whole-form problem")


def test_error_summary_lists_every_error_with_a_link_to_its_field():
    problems = error_summary(ExampleForm(data={}), None)["problems"]
    assert {"label": None, "anchor": None, "message": "Whole-form problem"} in problems
    anchors = {problem["label"]: problem["anchor"] for problem in problems if problem["label"]}
    assert anchors == {"Name": "id_name", "Kind": "id_kind_0"}


def test_error_summary_is_empty_for_valid_or_unbound_forms():
    assert error_summary(ExampleForm())["problems"] == []
