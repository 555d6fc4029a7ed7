"""Writes of the records app: loading a data bundle (数据包导入)."""

from __future__ import annotations

from pathlib import Path

from django.db import DatabaseError

from weiji.core.audit import audit_record
from weiji.records.bundle.loader import Progress, load_bundle
from weiji.records.bundle.report import BundleError, LoadReport, report_errors_xlsx

__all__ = ["BundleError", "LoadReport", "bundle_load", "report_errors_xlsx"]


def bundle_load(*, source: Path, user=None, progress: Progress | None = None) -> LoadReport:
    """Load the bundle at ``source`` (a folder of CSV files or one .xlsx workbook).

    Rows that break the bundle rules are rejected and listed in the report; everything
    else is upserted by key, so loading the same bundle again changes nothing. Raises
    :class:`BundleError` (message in Chinese and English) when a file cannot be loaded at
    all; that file is then left untouched. One audit entry ("import") is recorded either way.
    """
    source = Path(source)
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    try:
        report = load_bundle(source, user_id=user_id, progress=progress)
    except BundleError as exc:
        partial = getattr(exc, "report", None)
        try:
            audit_record(
                user=user, action="import", object_type="bundle", object_id=source.name,
                detail={"source": source.name, "error": str(exc)[:500],
                        "files": _counts(partial) if partial else {}},
            )
        except DatabaseError:  # the database itself failed: the load error says so
            pass
        raise
    audit_record(
        user=user, action="import", object_type="bundle", object_id=source.name,
        detail={"source": source.name, "files": _counts(report),
                "invalid_id_numbers": len(report.invalid_id_numbers),
                "seconds": round(report.seconds, 1)},
    )
    return report


def _counts(report: LoadReport) -> dict:
    return {
        name: {"read": f.read, "loaded": f.loaded, "rejected": f.rejected}
        for name, f in report.files.items()
    }
