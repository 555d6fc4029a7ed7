"""Registry forms: parse and check input; the writes are in ``registry.services``."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiji.accounts.scope import scope_filter, scope_persons
from weiji.core.i18n import choices_tr
from weiji.orgunits.models import OrgUnit, OrgUnitLevel
from weiji.orgunits.selectors import orgunit_villages
from weiji.registry.models import Household, MaritalStatus, Residency, Sex


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        parent = obj.parent.name if obj.parent_id and obj.parent else ""
        return f"{parent} {obj.name}".strip()


def _village_field(queryset, label) -> VillageChoiceField:
    return VillageChoiceField(
        queryset=queryset.select_related("parent"), label=label,
        empty_label=_("— 请选择 —"),
        error_messages={"required": _("请选择村/社区"), "invalid_choice": _("请选择列表中的村/社区")},
    )


class HouseholdForm(forms.Form):
    code = forms.CharField(label=_("户编号"), max_length=40)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = _village_field(orgunit_villages(user=user), _("所属村/社区"))
        self.order_fields(["code", "village", "address"])


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    sex = forms.ChoiceField(label=_("性别"), choices=choices_tr(Sex))
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput(),
                                 error_messages={"invalid": _("请按 年-月-日 填写日期")})
    id_number = forms.CharField(label=_("身份证号"), max_length=40, required=False,
                                help_text=_("新生儿可暂不填写"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    residency = forms.ChoiceField(label=_("户籍/居住状态"), choices=choices_tr(Residency))
    inflow_date = forms.DateField(label=_("流入日期"), required=False, widget=DateInput(),
                                  help_text=_("仅流入人口填写"))
    household_code = forms.CharField(label=_("户编号"), max_length=40, required=False)
    hukou_division = forms.CharField(label=_("户籍地区县代码"), max_length=6, required=False)
    marital_status = forms.ChoiceField(
        label=_("婚姻状况"), required=False, choices=[("", "—")] + choices_tr(MaritalStatus)
    )
    mother_ref = forms.CharField(label=_("母亲（身份证号或人员编号）"), max_length=40,
                                 required=False, help_text=_("登记新生儿时填写"))
    confirm_new = forms.BooleanField(label=_("确认不是上面列出的人员，继续登记"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"] = _village_field(orgunit_villages(user=user), _("管理村/社区"))
        self.order_fields(["name", "sex", "birth_date", "id_number", "phone", "village",
                           "residency", "inflow_date", "household_code", "hukou_division",
                           "marital_status", "mother_ref", "confirm_new"])

    def clean_household_code(self):
        code = self.cleaned_data["household_code"].strip()
        if not code:
            return None
        household = scope_filter(self.user, Household.objects.filter(code=code)).first()
        if household is None:
            raise forms.ValidationError(_("辖区内没有这个户编号，请先登记家庭户"))
        return household

    def clean_mother_ref(self):
        ref = self.cleaned_data["mother_ref"].strip().upper()
        if not ref:
            return None
        mother = scope_persons(self.user).filter(
            Q(id_number=ref) | Q(local_id=ref), merged_into__isnull=True
        ).first()
        if mother is None:
            raise forms.ValidationError(_("辖区内找不到这位母亲，请核对身份证号或人员编号"))
        return mother


class MoveForm(forms.Form):
    date = forms.DateField(label=_("迁移日期"), widget=DateInput())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        villages = OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).order_by("path", "code")
        self.fields["to_village"] = _village_field(villages, _("迁入村/社区"))
        self.order_fields(["to_village", "date", "note"])


class MoveOutForm(forms.Form):
    date = forms.DateField(label=_("外出日期"), widget=DateInput(),
                           help_text=_("从该日起登记为“户在人不在”"))
    note = forms.CharField(label=_("去向/备注"), max_length=200, required=False)


class DeathForm(forms.Form):
    date = forms.DateField(label=_("死亡日期"), widget=DateInput())
