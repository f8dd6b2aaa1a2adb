"""Forms of the scenario pages. The editor's service table is read by `editor_rows`, straight
into the flat layout of `homeward.planning.files`, whose validation names every problem."""

from django import forms

from homeward.planning import files
from homeward.scenarios.services import MAX_REPLICATIONS, MAX_SEARCH_REPLICATIONS

MAX_UPLOAD = 2 * 1024 * 1024
SEED_MAX = 2**63 - 1
EDITOR_COLUMNS = [c for c in files.COLUMNS if c not in ("scenario", "start", "days")]
HEAD_COLUMNS = ("scenario", "start", "days")
# Columns the editor offers as a list with a default: set on the empty row too.
CHOSEN_COLUMNS = ("cost_basis",)


class UploadForm(forms.Form):
    file = forms.FileField(label="Scenario file (xlsx, CSV or JSON)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is over 2 MB; a scenario is one row a service.")
        return upload


class RunForm(forms.Form):
    replications = forms.IntegerField(min_value=1, max_value=MAX_REPLICATIONS)
    seed = forms.IntegerField(min_value=0, max_value=SEED_MAX)


class CopyForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)


class CapacityForm(forms.Form):
    service = forms.ChoiceField()
    target_wait = forms.FloatField(min_value=0, label="Expected wait at most (days)")
    low = forms.IntegerField(min_value=1, label="Try from (places)")
    high = forms.IntegerField(min_value=1, label="to (places)")
    step = forms.IntegerField(min_value=1, initial=1, label="in steps of")
    replications = forms.IntegerField(min_value=1, max_value=MAX_SEARCH_REPLICATIONS, initial=200)
    seed = forms.IntegerField(min_value=0, max_value=SEED_MAX)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(name, name) for name in services]


class CompareForm(forms.Form):
    base = forms.ChoiceField(label="Base scenario")
    other = forms.ChoiceField(label="Compared with")

    def __init__(self, *args, scenarios=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(s.pk), s.name) for s in scenarios]
        self.fields["base"].choices = choices
        self.fields["other"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("base") and data.get("base") == data.get("other"):
            raise forms.ValidationError("Choose two different scenarios")
        return data


def editor_rows(post) -> list[dict[str, str]]:
    """The posted service table as flat rows, scenario fields on the first; rows left blank
    (nothing typed) or ticked for removal are dropped."""
    rows = []
    for index in range(int(post.get("rows") or 0)):
        row = {c: post.get(f"s{index}-{c}", "").strip() for c in EDITOR_COLUMNS}
        typed = any(value for column, value in row.items() if column not in CHOSEN_COLUMNS)
        if post.get(f"s{index}-remove") or not typed:
            continue
        rows.append(row)
    head = {c: post.get(c, "").strip() for c in HEAD_COLUMNS}
    if rows:
        rows[0].update(head)
    return rows


def display_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Flat rows with numbers as people write them: 6 not 6.0."""
    return [{c: _tidy(c, v) for c, v in row.items()} for row in rows]


def _tidy(column: str, text: str) -> str:
    if column not in files.NUMBER_COLUMNS | {"weekday_profile", "month_profile"} or not text:
        return text
    return ";".join(_number(part) for part in text.split(";"))


def _number(text: str) -> str:
    """A number without a needless '.0'; anything else as typed."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else repr(value)
