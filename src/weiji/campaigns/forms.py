"""Forms of the campaign pages: the definition, YAML import, check-in, home visit, upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiji.campaigns.target_rules import TARGET_RULES


class CampaignForm(forms.Form):
    code = forms.CharField(label=_("活动代码"), max_length=40)
    name = forms.CharField(label=_("活动名称"), max_length=120)
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    target_rule = forms.ChoiceField(
        label=_("服务对象规则"), choices=[(c, r.name_zh) for c, r in TARGET_RULES.items()])
    born_on_or_after = forms.DateField(
        label=_("出生日期不早于"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("春季妇女查体规则的参数"))
    min_age = forms.IntegerField(label=_("最小年龄"), required=False, min_value=0)
    max_age = forms.IntegerField(label=_("最大年龄"), required=False, min_value=0)
    rural_attendance = forms.DecimalField(label=_("乡村 进站率标准"), min_value=0, max_value=1,
                                          decimal_places=4, initial="0.85")
    rural_visit = forms.DecimalField(label=_("乡村 综合查访率标准"), min_value=0, max_value=1,
                                     decimal_places=4, initial="0.97")
    urban_attendance = forms.DecimalField(label=_("城镇 进站率标准"), min_value=0, max_value=1,
                                          decimal_places=4, initial="0.50")
    urban_visit = forms.DecimalField(label=_("城镇 综合查访率标准"), min_value=0, max_value=1,
                                     decimal_places=4, initial="0.70")
    sites = forms.CharField(
        label=_("查体点"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个：管区或村代码=机构代码，如 320981100Z01=320981HC03"))
    services = forms.CharField(label=_("服务项目"), required=False,
                               help_text=_("以逗号分隔，如 health_checkup,contraception"))
    scope = forms.CharField(label=_("参加单位"), required=False,
                            help_text=_("以逗号分隔的镇/管区/村代码；留空为全部村"))
    reminder_days_before_end = forms.IntegerField(
        label=_("结束前几天再次提醒"), required=False, min_value=0, max_value=60, initial=3,
        help_text=_("活动开始时给未进站对象发预约提醒，结束前这么多天仍未进站的再提醒一次；0 为不再提醒"))

    def clean_sites(self) -> dict[str, str]:
        sites = {}
        for number, line in enumerate(self.cleaned_data["sites"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            unit, sep, facility = line.partition("=")
            if not sep or not unit.strip() or not facility.strip():
                raise forms.ValidationError(
                    f"第{number}行应为“单位代码=机构代码” / line {number} must be UNIT=FACILITY")
            sites[unit.strip()] = facility.strip()
        return sites

    def as_mapping(self) -> dict[str, Any]:
        d = self.cleaned_data
        target: dict[str, Any] = {"rule": d["target_rule"]}
        for name in ("born_on_or_after", "min_age", "max_age"):
            if d.get(name) not in (None, ""):
                target[name] = d[name]
        split = [s.strip() for s in d["services"].split(",") if s.strip()]
        return {
            "code": d["code"], "name": d["name"], "start": d["start"], "end": d["end"],
            "target": target,
            "thresholds": {
                "rural": {"attendance": d["rural_attendance"], "visit": d["rural_visit"]},
                "urban": {"attendance": d["urban_attendance"], "visit": d["urban_visit"]},
            },
            "sites": d["sites"], "services": split,
            "scope": [s.strip() for s in d["scope"].split(",") if s.strip()],
            "reminders": {"days_before_end": d.get("reminder_days_before_end")},
        }


class YamlImportForm(forms.Form):
    file = forms.FileField(label=_("活动定义文件 (.yaml)"))


class CheckinForm(forms.Form):
    target = forms.IntegerField(widget=forms.HiddenInput)


class HomeVisitForm(forms.Form):
    visited_by = forms.CharField(label=_("访查人"), max_length=60)
    date = forms.DateField(label=_("访查日期"), widget=forms.DateInput(attrs={"type": "date"}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("当日查体结果 (.xlsx)"))
