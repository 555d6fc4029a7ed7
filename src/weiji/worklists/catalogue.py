"""Catalogue versions (服务目录版本): the default catalogue as version 1, edits as new versions.

A version is never changed once written; every new version is audited with the list of
parameters that changed. The rule evaluator gets the catalogue object built from the
version's data (``weiji.rules.catalogue.Catalogue.from_dict``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from weiji.core.audit import audit_record
from weiji.rules.catalogue import Catalogue, default_catalogue
from weiji.worklists.models import CatalogueVersion


class CatalogueError(ValueError):
    """A catalogue version that the rule engine does not accept."""


def default_catalogue_data() -> dict[str, Any]:
    """The catalogue that ships with the product, as plain data."""
    return default_catalogue().to_dict()


def catalogue_from_data(data: dict[str, Any]) -> Catalogue:
    """The rule engine's catalogue object for ``data``."""
    try:
        return Catalogue.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(
            f"服务目录数据无效：{exc} / invalid catalogue data: {exc}. "
            "请检查修改的参数后重新保存 / check the changed parameters and save again."
        ) from exc


@dataclass(frozen=True)
class ActiveCatalogue:
    version: int
    data: dict[str, Any]
    catalogue: Any  # weiji.rules.catalogue.Catalogue, or None before the engine has one


def catalogue_current() -> ActiveCatalogue:
    """The latest catalogue version; version 1 (the default) is written on first use."""
    row = CatalogueVersion.objects.order_by("-version").first()
    if row is None:
        try:
            with transaction.atomic():
                row = CatalogueVersion.objects.create(
                    version=1, data=default_catalogue_data(), note="默认服务目录 / default catalogue"
                )
        except IntegrityError:  # another process seeded it first
            row = CatalogueVersion.objects.get(version=1)
    if not row.data:
        return ActiveCatalogue(row.version, row.data, None)
    cached = _BUILT.get(row.version)
    if cached is None or cached[0] != row.data:
        cached = _BUILT[row.version] = (row.data, catalogue_from_data(row.data))
    return ActiveCatalogue(row.version, row.data, cached[1])


# Built catalogue objects per version (versions never change; the data is compared anyway
# because test databases reuse version numbers).
_BUILT: dict[int, tuple[dict[str, Any], Any]] = {}


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts/lists as ``{"a.b.0.c": scalar}``: the parameters an admin can edit."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key in data:
            out.update(flatten(data[key], f"{prefix}{key}."))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}{i}."))
    else:
        out[prefix.rstrip(".")] = data
    return out


def catalogue_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Parameters whose value differs: ``{path: [old, new]}`` (None where absent)."""
    a, b = flatten(old), flatten(new)
    return {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def catalogue_version_create(*, data: dict[str, Any], user, note: str = "") -> CatalogueVersion:
    """Validate ``data`` with the rule engine and store it as the next version (audited)."""
    if not isinstance(data, dict):
        raise CatalogueError("服务目录必须是 JSON 对象 / the catalogue must be a JSON object")
    current = catalogue_current()
    data = {**data, "version": current.version + 1} if "version" in current.data else data
    data = catalogue_from_data(data).to_dict()  # normalized as the engine reads it
    json.dumps(data)  # must be storable as JSON
    changes = {k: v for k, v in catalogue_diff(current.data, data).items() if k != "version"}
    if not changes:
        raise CatalogueError("没有修改任何参数 / nothing was changed")
    with transaction.atomic():
        row = CatalogueVersion.objects.create(
            version=current.version + 1, data=data, note=note[:200], created_by=user
        )
        audit_record(
            user=user, action="create", obj=row,
            detail={"version": row.version, "note": note[:200], "changes": changes},
        )
    return row
