"""Token-authenticated REST API for outside systems pushing records into a source."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from weiji.reconcile import services
from weiji.reconcile.models import Source, SourceRecord
from weiji.reconcile.openapi import openapi_document

MAX_BATCH = 5000


def _error(status: int, zh: str, en: str, **extra) -> JsonResponse:
    return JsonResponse({"error": en, "error_zh": zh, **extra}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _authorize(request: HttpRequest, code: str) -> tuple[Source | None, JsonResponse | None]:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("X-Api-Token", "")
    source = services.source_by_token(token=token.strip())
    if source is None:
        return None, _error(401, "缺少或无效的接口令牌", "missing or invalid API token")
    if source.code != code:
        return None, _error(403, "此令牌不属于该来源", "this token belongs to another source")
    return source, None


@csrf_exempt
@require_http_methods(["POST"])
def records_push(request: HttpRequest, code: str) -> JsonResponse:
    source, denied = _authorize(request, code)
    if denied:
        return denied
    try:
        body = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _error(400, f"请求体不是有效的 JSON：{exc}", f"the body is not valid JSON: {exc}")
    if isinstance(body, dict) and "records" in body:
        items = body["records"]
    elif isinstance(body, dict):
        items = [body]
    else:
        items = body
    if not isinstance(items, list) or not items:
        return _error(400, "请提交一条记录（对象）或一批记录（records 数组）",
                      "send one record (an object) or a batch ({\"records\": [...]})")
    if len(items) > MAX_BATCH:
        return _error(413, f"每批最多 {MAX_BATCH} 条", f"at most {MAX_BATCH} records per request")
    result = services.records_push(source=source, items=items, client=request.META.get("REMOTE_ADDR", ""))
    status = 200 if result["rejected"] < result["received"] else 422
    return JsonResponse(result, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
def record_detail(request: HttpRequest, code: str, record_id: str) -> JsonResponse:
    source, denied = _authorize(request, code)
    if denied:
        return denied
    rec = SourceRecord.objects.filter(source=source, record_id=record_id).select_related("person").first()
    if rec is None:
        return _error(404, "没有该记录", "no such record")
    return JsonResponse({
        "record_id": rec.record_id, "active": rec.active, "updated_at": rec.updated_at.isoformat(),
        "link_status": rec.link_status, "link_score": rec.link_score,
        "person": rec.person.local_id if rec.person else None,
    }, json_dumps_params={"ensure_ascii": False})


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(request.build_absolute_uri("/reconcile/api")),
                        json_dumps_params={"ensure_ascii": False})
