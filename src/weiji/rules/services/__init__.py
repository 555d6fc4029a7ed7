"""Rule families of the service catalogue, one module each; ``FAMILIES`` in catalogue order."""

from __future__ import annotations

from weiji.rules.services import (
    child,
    chronic,
    contraception,
    elderly,
    leads,
    postpartum,
    preconception,
    pregnancy,
    vaccines,
)

FAMILIES = (
    preconception.evaluate,
    pregnancy.evaluate,
    postpartum.evaluate,
    child.evaluate,
    vaccines.evaluate,
    leads.evaluate,
    contraception.evaluate,
    elderly.evaluate,
    chronic.evaluate,
)
