"""Forms of the messaging pages."""

from __future__ import annotations

from django import forms

from weiji.messaging.models import Channel
from weiji.messaging.rendering import CAMPAIGN_VARIABLES, VARIABLES


def _vars(names) -> str:
    return "、".join("{" + v + "}" for v in names)


class TemplateForm(forms.Form):
    service = forms.CharField(
        label="服务项目代码（* 为全部；活动预约提醒填 campaign:活动代码 或 campaign:*）",
        max_length=60, initial="*")
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices)
    body = forms.CharField(
        label="模板内容", widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"可用变量：{_vars(VARIABLES)}；活动预约提醒：{_vars(CAMPAIGN_VARIABLES)}"
                  "（姓名、活动名称、查体点、活动日期、责任人电话）",
    )
    tencent = forms.CharField(label="腾讯云模板ID", required=False, max_length=40)
    aliyun = forms.CharField(label="阿里云模板CODE", required=False, max_length=40)
    wechat = forms.CharField(label="微信模板ID", required=False, max_length=64)


class TestSendForm(forms.Form):
    to = forms.CharField(label="手机号或 openid", max_length=64)
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices)
    service = forms.CharField(label="服务项目代码（* 为默认模板；campaign:活动代码 为活动预约提醒）",
                              max_length=60, initial="*")


class OptOutForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)
