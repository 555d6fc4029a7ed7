"""Messaging pages (outbox, statistics, templates, test send, a person's messages) and the
providers' callback endpoints (receipts and replies)."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from weiji.accounts.models import Role
from weiji.accounts.scope import scope_villages
from weiji.core.masking import mask_phone
from weiji.messaging import forms, selectors, services
from weiji.messaging.models import Channel, MessageStatus, MessageTemplate, OptOutSource
from weiji.messaging.providers import PROVIDER_NAMES, get_provider
from weiji.messaging.rendering import TemplateError
from weiji.registry.selectors import person_get_scoped


def _require_admin(user) -> None:
    if not (user.is_superuser or user.role == Role.DISTRICT_ADMIN):
        raise PermissionDenied("仅区卫计局管理员可用 / district administrators only")


def _villages(user):
    return None if user.is_superuser else scope_villages(user)


@login_required
def outbox(request):
    status = request.GET.get("status", "")
    service = request.GET.get("service", "").strip()
    village = request.GET.get("village", "").strip()
    qs = selectors.outbox_list(villages=_villages(request.user), status=status,
                               service=service, village=village)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"m": m, "to": mask_phone(m.to) if m.channel == "sms" else m.to[:6] + "…",
             "service_label": selectors.service_label(m.service)} for m in page]
    return render(request, "messaging/outbox.html", {
        "rows": rows, "page": page, "statuses": MessageStatus.choices, "status": status,
        "service": service, "village": village,
        "query": f"status={status}&service={service}&village={village}",
    })


@login_required
def stats(request):
    days = int(request.GET.get("days") or 30)
    rows = selectors.delivery_stats(villages=_villages(request.user),
                                    since=timezone.now() - timedelta(days=days))
    return render(request, "messaging/stats.html", {
        "rows": rows, "days": days, "statuses": MessageStatus.choices,
    })


@login_required
@require_http_methods(["GET", "POST"])
def templates(request):
    _require_admin(request.user)
    form = forms.TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tpl = services.template_save(
                user=request.user, service=data["service"].strip(), channel=data["channel"],
                body=data["body"], provider_template_ids={
                    k: data[k] for k in PROVIDER_NAMES if k in data},
            )
        except TemplateError as exc:
            form.add_error("body", str(exc))
        else:
            messages.success(request, f"已保存 {tpl}")
            return redirect("messaging:templates")
    return render(request, "messaging/templates.html", {
        "form": form, "templates": MessageTemplate.objects.select_related("created_by"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def test_send(request):
    _require_admin(request.user)
    form = forms.TestSendForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.message_test_send(
                user=request.user, to=data["to"], channel=data["channel"],
                service=data["service"].strip() or "*", request=request)
        except TemplateError as exc:
            form.add_error(None, str(exc))
    return render(request, "messaging/test_send.html", {"form": form, "result": result})


@login_required
@require_http_methods(["GET"])
def person_messages(request, pk: int):
    person = person_get_scoped(user=request.user, pk=pk)
    return render(request, "messaging/person_messages.html", {
        "person": person, "messages_list": selectors.person_messages(person_id=person.pk),
        "optout": selectors.person_optout(person_id=person.pk, phone=person.phone),
        "form": forms.OptOutForm(), "Channel": Channel,
    })


@login_required
@require_POST
def person_optout(request, pk: int):
    person = person_get_scoped(user=request.user, pk=pk)
    form = forms.OptOutForm(request.POST)
    form.is_valid()
    current = selectors.person_optout(person_id=person.pk, phone=person.phone)
    if request.POST.get("action") == "revoke" and current is not None:
        services.optout_revoke(optout_id=current.pk, user=request.user, request=request)
        messages.success(request, "已恢复接收提醒 / reminders resumed")
    elif current is None:
        services.optout_record(source=OptOutSource.WORKER, person_id=person.pk,
                               note=form.cleaned_data.get("note", ""), user=request.user,
                               request=request)
        messages.success(request, "已登记退订 / opted out")
    return redirect("messaging:person", pk=person.pk)


# --- provider callbacks ----------------------------------------------------------------

def _hook_provider(name: str, token: str):
    expected = settings.WEIJI_MESSAGING_CALLBACK_TOKEN
    if name not in PROVIDER_NAMES or not expected or \
            not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404("unknown callback")
    return get_provider(name)


def _query_headers(request) -> tuple[dict, dict]:
    headers = {k.lower(): v for k, v in request.headers.items()}
    return request.GET.dict(), headers


@csrf_exempt
@require_http_methods(["GET", "POST"])
def hook_receipts(request, provider: str, token: str):
    """Delivery receipts pushed by a provider; WeChat's signature is checked too."""
    p = _hook_provider(provider, token)
    query, headers = _query_headers(request)
    if not p.verify_push(query=query, headers=headers, body=request.body):
        return HttpResponse("invalid signature", status=403)
    if request.method == "GET":  # WeChat's server-URL check echoes echostr
        return HttpResponse(query.get("echostr", ""))
    try:
        receipts = p.parse_receipts(request.body, query=query, headers=headers)
    except (ValueError, KeyError) as exc:
        return JsonResponse({"result": 1, "errmsg": f"bad payload: {exc}"}, status=400)
    services.receipts_apply(provider=provider, receipts=receipts)
    if provider == "wechat":
        return HttpResponse("success")
    if provider == "aliyun":
        return JsonResponse({"code": 0, "msg": "成功"})
    return JsonResponse({"result": 0, "errmsg": "OK"})


@csrf_exempt
@require_POST
def hook_inbound(request, provider: str, token: str):
    """Replies from residents (an opt-out keyword such as TD or 退订 opts the number out)."""
    p = _hook_provider(provider, token)
    query, headers = _query_headers(request)
    try:
        inbound = p.parse_inbound(request.body, query=query, headers=headers)
    except (ValueError, KeyError) as exc:
        return JsonResponse({"result": 1, "errmsg": f"bad payload: {exc}"}, status=400)
    services.inbound_apply(provider=provider, inbound=inbound)
    if provider == "aliyun":
        return JsonResponse({"code": 0, "msg": "成功"})
    return JsonResponse({"result": 0, "errmsg": "OK"})
