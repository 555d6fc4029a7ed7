"""Forms for recording an event and uploading a bundle."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiji.accounts.scope import scope_persons
from weiji.core.i18n import choices_tr
from weiji.orgunits.models import Facility
from weiji.records.models import Condition, EventType, Method, Outcome
from weiji.registry.forms import DateInput
from weiji.rules.schedule import default_schedule

# Type-specific fields each event type shows (the required ones are in REQUIRED_BY_TYPE).
TYPE_FIELDS: dict[str, list[str]] = {
    EventType.PREGNANCY_REGISTERED: ["lmp"],
    EventType.PREGNANCY_OUTCOME: ["outcome", "discharge_date"],
    EventType.VACCINATION: ["vaccine", "dose"],
    EventType.CONTRACEPTION: ["method"],
    EventType.CHRONIC_DIAGNOSIS: ["condition"],
    EventType.CHRONIC_FOLLOWUP: ["condition"],
    EventType.MARRIAGE: ["partner_ref"],
}


def _vaccine_choices() -> list[tuple[str, str]]:
    names: dict[str, str] = {}
    for dose in default_schedule().doses:
        names.setdefault(dose.vaccine, dose.name_zh)
    return [("", "—")] + sorted(names.items())


def _typed(field: forms.Field) -> forms.Field:
    field.type_field = True
    return field


class EventForm(forms.Form):
    type = forms.ChoiceField(label=_("事件类型"), choices=[("", _("— 请选择 —"))] + choices_tr(EventType),
                             error_messages={"required": _("请选择事件类型")})
    date = forms.DateField(label=_("日期"), widget=DateInput(),
                           error_messages={"invalid": _("请按 年-月-日 填写日期")})
    lmp = _typed(forms.DateField(label=_("末次月经"), required=False, widget=DateInput()))
    outcome = _typed(forms.ChoiceField(label=_("妊娠结局"), required=False,
                                       choices=[("", "—")] + choices_tr(Outcome)))
    discharge_date = _typed(forms.DateField(label=_("出院日期"), required=False,
                                            widget=DateInput()))
    vaccine = _typed(forms.ChoiceField(label=_("疫苗"), required=False, choices=()))
    dose = _typed(forms.IntegerField(label=_("剂次"), required=False, min_value=1,
                                     error_messages={"min_value": _("剂次须为正整数")}))
    method = _typed(forms.ChoiceField(label=_("避孕方法"), required=False,
                                      choices=[("", "—")] + choices_tr(Method)))
    condition = _typed(forms.ChoiceField(label=_("慢病种类"), required=False,
                                         choices=[("", "—")] + choices_tr(Condition)))
    partner_ref = _typed(forms.CharField(label=_("配偶（身份证号或人员编号）"), required=False,
                                         max_length=40))
    facility = forms.ModelChoiceField(label=_("服务机构"), required=False,
                                      queryset=Facility.objects.order_by("code"), empty_label="—")
    performed_by = forms.CharField(label=_("服务人员"), required=False, max_length=60)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["vaccine"].choices = _vaccine_choices()

    def clean_partner_ref(self):
        ref = self.cleaned_data["partner_ref"].strip().upper()
        if not ref:
            return None
        partner = scope_persons(self.user).filter(
            Q(id_number=ref) | Q(local_id=ref), merged_into__isnull=True).first()
        if partner is None:
            raise forms.ValidationError(_("辖区内找不到这位配偶，请核对身份证号或人员编号"))
        return partner


class UploadForm(forms.Form):
    bundle = forms.FileField(
        label=_("数据包（.zip 文件夹压缩包或 .xlsx 工作簿）"),
        error_messages={"required": _("请选择要上传的文件")},
    )

    def clean_bundle(self):
        upload = self.cleaned_data["bundle"]
        name = upload.name.lower()
        if not (name.endswith(".zip") or name.endswith(".xlsx")):
            raise forms.ValidationError(
                _("只接受 .zip（CSV 文件夹压缩包）或 .xlsx 文件 / only .zip or .xlsx files"))
        return upload
