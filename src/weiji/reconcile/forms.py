"""Forms for sources (column mapping, upload) and for resolving an item."""

from __future__ import annotations

from django import forms

from weiji.reconcile.importing import FIELDS
from weiji.reconcile.models import Resolution, SourceType


class SourceForm(forms.Form):
    code = forms.SlugField(label="来源代码", max_length=40)
    name = forms.CharField(label="名称", max_length=100)
    type = forms.ChoiceField(label="类型", choices=SourceType.choices)


class MappingForm(forms.Form):
    """One text box per canonical field: the header of that column in this source's export."""

    def __init__(self, *args, column_map: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for fld, (zh, en, aliases) in FIELDS.items():
            self.fields[fld] = forms.CharField(
                label=f"{zh}（{fld}）", required=False, max_length=60,
                initial=(column_map or {}).get(fld, ""),
                help_text=f"默认识别：{'、'.join(aliases[:3])} / {en}",
            )

    def column_map(self) -> dict[str, str]:
        return {k: v.strip() for k, v in self.cleaned_data.items() if v and v.strip()}


class UploadForm(forms.Form):
    file = forms.FileField(label="导出文件（CSV 或 .xlsx）")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("只支持 CSV 或 .xlsx 文件 / only CSV or .xlsx files")
        return f


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(choices=Resolution.choices)
    note = forms.CharField(required=False, max_length=300)
    village = forms.CharField(required=False, max_length=20)
    survivor = forms.IntegerField(required=False)
