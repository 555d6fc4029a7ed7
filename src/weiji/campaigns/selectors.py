"""Reads for campaigns: the facts a campaign is evaluated on, progress and ranking."""

from __future__ import annotations

from weiji.campaigns.definition import CampaignDefinition
from weiji.indicators.exchange_facts import district_snapshot
from weiji.rules.facts import District


def campaign_district(defn: CampaignDefinition) -> District:
    """The register as rule facts, persons as on the campaign's start date."""
    return district_snapshot(on=defn.start)
