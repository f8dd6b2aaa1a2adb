"""Forms for capacity requests: the commissioner's request and a provider's answer. Business
rules (dates, deadline, whose location) live in `capacity_requests`; these only parse input."""

from django import forms

from homeward.brokerage.capacity_requests import MAX_VOLUME, OfferTerms, RequestTerms
from homeward.brokerage.models import CapacityUnit
from homeward.directory.models import CareType, Location


class RequestForm(forms.Form):
    care_type = forms.ModelChoiceField(
        queryset=CareType.objects.filter(valid_to__isnull=True),
        label="Type of care",
        empty_label=None,
    )
    description = forms.CharField(label="Exactly what care is needed", max_length=200)
    area = forms.CharField(label="Area", max_length=100)
    volume = forms.IntegerField(label="How much", min_value=1, max_value=MAX_VOLUME)
    unit = forms.ChoiceField(label="Counted in", choices=CapacityUnit.choices)
    start_date = forms.DateField(label="From")
    end_date = forms.DateField(label="Until")
    respond_by = forms.DateTimeField(label="Answers needed by")
    contact_name = forms.CharField(label="Contact name", max_length=100)
    contact_email = forms.EmailField(label="Contact email")
    contact_phone = forms.CharField(label="Contact phone", max_length=32, required=False)

    def terms(self) -> RequestTerms:
        return RequestTerms(**self.cleaned_data)


class OfferForm(forms.Form):
    volume = forms.IntegerField(label="How much you can offer", min_value=1, max_value=MAX_VOLUME)
    available_from = forms.DateField(label="Available from")
    weekly_price = forms.DecimalField(
        label="Weekly price (£)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        to_field_name="cqc_id",
        required=False,
        label="Where (optional)",
    )
    note = forms.CharField(
        label="Anything the commissioner should know",
        max_length=500,
        required=False,
    )

    def __init__(self, *args, locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["location"].queryset = locations
        self.fields["location"].label_from_instance = _place

    def terms(self) -> OfferTerms:
        return OfferTerms(**self.cleaned_data)


def _place(location: Location) -> str:
    """How a provider recognises its own location in the list: name and postcode."""
    return f"{location.name}, {location.postcode}" if location.postcode else location.name
