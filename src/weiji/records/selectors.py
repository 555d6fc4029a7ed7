"""Reads of the records app: a person's events and summaries of what is loaded."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from weiji.records.models import Event


def events_of_person(*, person_id: int) -> QuerySet[Event]:
    """A person's own events and the marriages that name them as partner, oldest first."""
    return (
        Event.objects.filter(person_id=person_id)
        .union(Event.objects.filter(partner_id=person_id, type="marriage"))
        .order_by("date", "event_id")
    )


def event_counts_by_type() -> dict[str, int]:
    """How many events of each type are stored (for the load page and data checks)."""
    return dict(
        Event.objects.values_list("type").annotate(n=Count("id")).order_by("type")
    )
