from django import forms

from homeward.brokerage import rules
from homeward.brokerage.models import ContractType, DeclineReason, FundingSource
from homeward.matching.model import Weights


class ReferForm(forms.Form):
    offers = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": "Choose at least one provider"}
    )
    deadline_hours = forms.IntegerField(
        label="Answer within (hours)",
        initial=rules.DEFAULT_DEADLINE_HOURS,
        min_value=1,
        max_value=rules.MAX_DEADLINE_HOURS,
    )
    note = forms.CharField(label="Note to providers", max_length=500, required=False)

    def __init__(self, *args, offer_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offers"].choices = [(i, str(i)) for i in offer_ids]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reason = forms.ChoiceField(
        label="Reason for declining",
        choices=[("", "Choose a reason"), *DeclineReason.choices],
        required=False,
    )
    note = forms.CharField(max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not data.get("reason"):
            self.add_error("reason", "Choose a reason for declining")
        return data


class PlacementForm(forms.Form):
    start_date = forms.DateField(label="Start date")
    weekly_cost = forms.DecimalField(
        label="Weekly cost (£)", min_value=0, max_digits=9, decimal_places=2
    )
    contract_type = forms.ChoiceField(choices=ContractType.choices)
    funding_source = forms.ChoiceField(choices=FundingSource.choices)
    hours_per_week = forms.DecimalField(
        label="Hours a week (care at home)",
        min_value=0.5,
        max_value=168,
        decimal_places=1,
        required=False,
    )


class WithdrawForm(forms.Form):
    message = forms.CharField(label="Message to the provider", max_length=500, required=False)


class WeightsForm(forms.Form):
    distance = forms.IntegerField(min_value=0, max_value=100, label="Distance from home")
    quality = forms.IntegerField(min_value=0, max_value=100, label="CQC rating")
    cost = forms.IntegerField(min_value=0, max_value=100, label="Weekly cost against budget")
    preference = forms.IntegerField(min_value=0, max_value=100, label="The person's preferences")
    response = forms.IntegerField(min_value=0, max_value=100, label="Provider answers referrals")

    def clean(self):
        data = super().clean()
        if not self.errors and sum(data.values()) == 0:
            raise forms.ValidationError("At least one weight must be above zero")
        return data

    def weights(self) -> Weights:
        d = self.cleaned_data
        return Weights(d["distance"], d["quality"], d["cost"], d["preference"], d["response"])


class AllocateForm(forms.Form):
    care_type = forms.ChoiceField(label="Care needed")
    radius = forms.ChoiceField(
        label="Within",
        choices=[("10", "10 km"), ("20", "20 km"), ("30", "30 km"), ("60", "60 km")],
        initial="30",
    )

    def __init__(self, *args, care_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_type"].choices = care_types
