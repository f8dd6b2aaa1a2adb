"""Forms of the live view: the readings upload and an area's trigger levels."""

from django import forms

from homeward.live.models import Indicator


class UploadForm(forms.Form):
    file = forms.FileField(label="Readings file (CSV)")


class TriggerForm(forms.Form):
    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.all(), to_field_name="code", empty_label=None
    )
    amber = forms.FloatField(label="Amber trigger", min_value=0)
    red = forms.FloatField(label="Red trigger", min_value=0)
    reason = forms.CharField(label="Why (optional)", max_length=255, required=False)
