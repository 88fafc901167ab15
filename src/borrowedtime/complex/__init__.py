"""The AI credit complex as data: entities, contracts, guarantees and exposures.

Load the essay's 2026 world (the packaged default) or your own YAML file, and
overlay newer figures on it::

    from borrowedtime.complex import load_complex, exposures, platform_concentration
    cx = load_complex()                                  # the default dataset
    cx = load_complex(overlay="my_q1_2026_backlog.yaml")  # a newer quarter on top
    platform_concentration(cx).to_frame()

See :mod:`borrowedtime.complex.schema` for the format and
:mod:`borrowedtime.complex.exposures` for the look-through views.
"""

from borrowedtime.complex.exposures import (
    Exposures,
    LabExposure,
    PlatformConcentration,
    exposures,
    lab_exposure,
    platform_concentration,
)
from borrowedtime.complex.loader import (
    Complex,
    Problem,
    default_complex_path,
    load_complex,
    validate_complex,
)
from borrowedtime.complex.schema import (
    CONTRACT_KINDS,
    ENTITY_KINDS,
    ComplexSpec,
    Concentration,
    Contract,
    Entity,
    Figure,
    Observation,
)

__all__ = [
    "CONTRACT_KINDS",
    "ENTITY_KINDS",
    "Complex",
    "ComplexSpec",
    "Concentration",
    "Contract",
    "Entity",
    "Exposures",
    "Figure",
    "LabExposure",
    "Observation",
    "PlatformConcentration",
    "Problem",
    "default_complex_path",
    "exposures",
    "lab_exposure",
    "load_complex",
    "platform_concentration",
    "validate_complex",
]
