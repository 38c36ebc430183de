"""The published knowledge ids: a contract with tests and evaluations outside the project."""

from __future__ import annotations

INNOVATION_FACTORS = (
    "evidence",
    "adapting-to-context",
    "iterative-learning",
    "complexity",
    "scaling-leadership",
    "teams-not-champions",
    "time-and-commitment",
    "co-production",
    "planning",
    "shared-vision",
    "resources",
    "workforce",
    "risk-aversion",
    "partnership",
)
EXTERNAL_FACTORS = (
    "difficult-environment",
    "scale-funding",
    "networks",
    "leadership-support",
    "time-to-embed",
    "policy-levers",
    "priorities",
    "commissioning",
)
FRAMEWORKS = ("greenhalgh-model", "sips", "nhs-large-scale-change", "nasss")

# The seven factors of particular relevance to adult social care, in the seed's order.
# The seed's "adequate resources and funding to support scale and spread" spans two ids.
KEY_FACTORS = (
    "complexity",
    "difficult-environment",
    "resources",
    "scale-funding",
    "workforce",
    "risk-aversion",
    "co-production",
    "evidence",
)
