"""The OpenAPI 3 description of the records API (served at /reconcile/api/openapi.json)."""

from __future__ import annotations

from weiji.reconcile.importing import FIELDS

_TYPES = {
    "birth_date": {"type": "string", "format": "date"},
    "death_date": {"type": "string", "format": "date"},
    "event_date": {"type": "string", "format": "date"},
    "present": {"type": "string", "enum": ["1", "0", "是", "否", ""]},
    "sex": {"type": "string", "enum": ["1", "2", "男", "女"]},
    "outcome": {"type": "string", "enum": ["live_birth", "stillbirth", "miscarriage", "induced_abortion"]},
}


def openapi_document(base_url: str) -> dict:
    record_props = {
        f: {**_TYPES.get(f, {"type": "string"}), "description": f"{zh} / {en}"}
        for f, (zh, en, _a) in FIELDS.items()
    }
    error = {"type": "object", "properties": {"error": {"type": "string"}, "error_zh": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Weiji reconcile — source records API",
            "version": "1",
            "description": (
                "外部系统（医院、全员人口库、公安等）向一个比对来源推送记录。每个来源有自己的令牌；"
                "同一 record_id 重复推送只更新该记录（幂等）。 Outside systems push records into one "
                "source; each source has its own token; pushing the same record_id again updates "
                "that record (idempotent). Comparison runs use every active record of the source."
            ),
        },
        "servers": [{"url": base_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "来源令牌 / the source's API token"}},
            "schemas": {
                "Record": {"type": "object", "required": ["record_id"], "additionalProperties": False,
                           "properties": record_props},
                "Batch": {"type": "object", "required": ["records"],
                          "properties": {"records": {"type": "array", "maxItems": 5000,
                                                     "items": {"$ref": "#/components/schemas/Record"}}}},
                "PushResult": {"type": "object", "properties": {
                    "snapshot": {"type": "integer"}, "received": {"type": "integer"},
                    "created": {"type": "integer"}, "updated": {"type": "integer"},
                    "rejected": {"type": "integer"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "row": {"type": "integer", "description": "1-based position in the batch"},
                        "column": {"type": "string"}, "reason_zh": {"type": "string"},
                        "reason_en": {"type": "string"}}}},
                }},
                "Error": error,
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/sources/{code}/records": {
                "post": {
                    "summary": "推送一条或一批记录 / push one record or a batch",
                    "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "oneOf": [{"$ref": "#/components/schemas/Record"}, {"$ref": "#/components/schemas/Batch"}]}}}},
                    "responses": {
                        "200": {"description": "stored (rows with errors are listed and skipped)",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushResult"}}}},
                        "400": {"description": "not JSON / empty", "content": {"application/json": {"schema": error}}},
                        "401": {"description": "missing or invalid token"},
                        "403": {"description": "token of another source"},
                        "413": {"description": "more than 5000 records"},
                        "422": {"description": "every record was rejected",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushResult"}}}},
                    },
                },
            },
            "/sources/{code}/records/{record_id}": {
                "get": {
                    "summary": "查询一条记录及其匹配状态 / one stored record and its link status",
                    "parameters": [
                        {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "record_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "the record"}, "401": {"description": "bad token"},
                                  "404": {"description": "unknown record"}},
                },
            },
        },
    }
