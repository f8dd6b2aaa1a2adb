from django import forms

from homeward.core.models import Organisation, OrganisationKind
from homeward.directory.cqc import SPECIALISM_BANDS
from homeward.directory.models import CareType, ComplianceState, Rating

SPECIALISMS = sorted(set(SPECIALISM_BANDS.values()))
RADII = [("", "Any distance"), ("5", "5 km"), ("10", "10 km"), ("20", "20 km"), ("40", "40 km")]


class SearchForm(forms.Form):
    council = forms.ChoiceField(required=False)
    care_type = forms.ChoiceField(required=False)
    specialism = forms.ChoiceField(
        required=False, choices=[("", "Any specialism")] + [(s, s) for s in SPECIALISMS]
    )
    rating = forms.ChoiceField(required=False, choices=[("", "Any rating")] + list(Rating.choices))
    available_now = forms.BooleanField(required=False)
    postcode = forms.CharField(required=False, max_length=10)
    radius = forms.ChoiceField(required=False, choices=RADII)
    name = forms.CharField(required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        councils = Organisation.objects.filter(kind=OrganisationKind.COUNCIL).order_by("name")
        self.fields["council"].choices = [("", "All councils")] + [
            (c.code, c.name) for c in councils
        ]
        self.fields["care_type"].choices = [("", "Any care type")] + [
            (c.code, c.name) for c in CareType.objects.all()
        ]

    def clean(self):
        data = super().clean()
        if data.get("radius") and not data.get("postcode"):
            self.add_error("postcode", "Enter a postcode to search by distance")
        return data


class CapacityForm(forms.Form):
    beds_free = forms.IntegerField(required=False, min_value=0, max_value=2000)
    hours_free = forms.DecimalField(required=False, min_value=0, max_value=10000, decimal_places=1)
    closed_to_admissions = forms.BooleanField(required=False)


class ComplianceForm(forms.Form):
    state = forms.ChoiceField(
        choices=[c for c in ComplianceState.choices if c[0] != ComplianceState.NONE]
    )
    reason = forms.CharField(max_length=2000, widget=forms.Textarea)


class AreaForm(forms.Form):
    location = forms.CharField(max_length=20)
    area = forms.CharField(max_length=64)


class StaleAfterForm(forms.Form):
    hours = forms.IntegerField(min_value=1, max_value=24 * 14)


class UploadForm(forms.Form):
    file = forms.FileField()
