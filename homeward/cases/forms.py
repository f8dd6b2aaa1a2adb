from django import forms

from homeward.cases.models import Attribution, CaseState, CodeList, FundingRoute, ReferenceCode, Sex
from homeward.core.models import Organisation, OrganisationKind
from homeward.directory.forms import SPECIALISMS
from homeward.directory.models import CareType

CAPABILITIES = [
    ("hoist", "Hoist"),
    ("bariatric", "Bariatric"),
    ("oxygen", "Oxygen"),
    ("peg", "PEG feeding"),
    ("challenging-behaviour", "Behaviour that challenges"),
    ("end-of-life", "End of life care"),
]


def codes(code_list: str):
    return ReferenceCode.objects.filter(list=code_list, valid_to__isnull=True)


class NewCaseForm(forms.Form):
    nhs_number = forms.CharField(label="NHS number", max_length=12)
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    date_of_birth = forms.DateField(label="Date of birth")
    sex = forms.ChoiceField(choices=Sex.choices)
    home_postcode = forms.CharField(label="Home postcode", max_length=10, required=False)
    council = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.COUNCIL).order_by("name"),
        to_field_name="code",
        label="Council of residence",
    )
    ward = forms.CharField(max_length=64, required=False)
    admission_date = forms.DateField(label="Admission date")
    ready_at = forms.DateTimeField(
        label="No longer meets the criteria to reside since", required=False
    )
    pathway = forms.ModelChoiceField(
        queryset=codes(CodeList.PATHWAY), to_field_name="code", required=False
    )
    care_type = forms.ModelChoiceField(
        queryset=CareType.objects.all(), required=False, label="Care needed"
    )
    specialisms = forms.MultipleChoiceField(choices=[(s, s) for s in SPECIALISMS], required=False)
    capabilities = forms.MultipleChoiceField(choices=CAPABILITIES, required=False)
    funding_route = forms.ChoiceField(choices=FundingRoute.choices)
    weekly_budget = forms.DecimalField(
        required=False, min_value=0, max_value=20000, decimal_places=2
    )
    preferred_areas = forms.CharField(
        label="Where the person would like to be", max_length=200, required=False
    )

    def clean_preferred_areas(self) -> list[str]:
        return [a.strip() for a in self.cleaned_data["preferred_areas"].split(",") if a.strip()]


class CriteriaForm(forms.Form):
    meets_criteria = forms.TypedChoiceField(
        choices=[
            ("no", "No longer meets the criteria to reside"),
            ("yes", "Meets the criteria again"),
        ],
        coerce=lambda v: v == "yes",
    )
    at = forms.DateTimeField()
    note = forms.CharField(max_length=255, required=False)


class DelayForm(forms.Form):
    reason = forms.ModelChoiceField(queryset=codes(CodeList.DELAY_REASON), to_field_name="code")
    attribution = forms.ChoiceField(choices=Attribution.choices)
    primary = forms.BooleanField(required=False)
    started_at = forms.DateTimeField(required=False, label="Since")


class TaskForm(forms.Form):
    task_type = forms.ModelChoiceField(queryset=codes(CodeList.TASK_TYPE), to_field_name="code")
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.exclude(kind=OrganisationKind.PROVIDER).order_by("name"),
        to_field_name="code",
    )
    due_at = forms.DateTimeField()
    note = forms.CharField(max_length=255, required=False)


class PlanForm(forms.Form):
    owner = forms.CharField(max_length=150, required=False)
    next_action = forms.CharField(max_length=255, required=False)
    next_action_due = forms.DateTimeField(required=False)
    expected_discharge_date = forms.DateField(required=False)


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=CaseState.choices)
    reason = forms.CharField(max_length=255, required=False)
    at = forms.DateTimeField(required=False, label="When")


class HubFilterForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)
    council = forms.CharField(required=False)
    pathway = forms.CharField(required=False)
    rag = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any wait"),
            ("red", "21+ days"),
            ("amber", "7–20 days"),
            ("green", "0–6 days"),
        ],
    )
    mine = forms.BooleanField(required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("wait", "Longest wait"),
            ("admitted", "Admission date"),
            ("name", "Name"),
            ("due", "Next action due"),
        ],
    )


class ReturnForm(forms.Form):
    trust = forms.ChoiceField(required=False)
    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To")
    format = forms.ChoiceField(
        required=False, choices=[("", "Page"), ("csv", "CSV"), ("xlsx", "Excel")]
    )

    def __init__(self, *args, trusts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trust"].choices = [(t.code, t.name) for t in trusts]


class NoticesForm(forms.Form):
    assessment_notice_at = forms.DateTimeField(required=False, label="Assessment notice given")
    discharge_notice_at = forms.DateTimeField(required=False, label="Discharge notice given")
    proposed_discharge_date = forms.DateField(required=False, label="Proposed discharge date")


class LegacyAreaForm(forms.Form):
    enabled = forms.BooleanField(required=False)
