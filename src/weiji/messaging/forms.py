"""Forms of the messaging pages."""

from __future__ import annotations

from django import forms

from weiji.messaging.models import Channel
from weiji.messaging.rendering import VARIABLES


class TemplateForm(forms.Form):
    service = forms.CharField(label="服务项目代码（* 为全部）", max_length=40, initial="*")
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices)
    body = forms.CharField(
        label="模板内容", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="可用变量：" + "、".join("{" + v + "}" for v in VARIABLES),
    )
    tencent = forms.CharField(label="腾讯云模板ID", required=False, max_length=40)
    aliyun = forms.CharField(label="阿里云模板CODE", required=False, max_length=40)
    wechat = forms.CharField(label="微信模板ID", required=False, max_length=64)


class TestSendForm(forms.Form):
    to = forms.CharField(label="手机号或 openid", max_length=64)
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices)
    service = forms.CharField(label="服务项目代码（* 为默认模板）", max_length=40, initial="*")


class OptOutForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)
