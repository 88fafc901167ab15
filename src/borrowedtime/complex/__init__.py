"""The AI credit complex: entities, contracts, guarantees and exposures, as data and as arrays.

Load the essay's 2026 world (the packaged default) or your own YAML file, and
overlay newer figures on it::

    from borrowedtime.complex import load_complex, exposures, platform_concentration
    cx = load_complex()                                  # the default dataset
    cx = load_complex(overlay="my_q1_2026_backlog.yaml")  # a newer quarter on top
    platform_concentration(cx).to_frame()
    m = cx.model                                         # arrays over a stable entity index
    m.obligations()[m.index("openai"), m.index("oracle")]  # USD bn OpenAI owes Oracle

Modules: :mod:`~borrowedtime.complex.schema` (the format),
:mod:`~borrowedtime.complex.loader` (YAML and overlays),
:mod:`~borrowedtime.complex.validate` (every problem at once, on
:class:`ComplexError`), :mod:`~borrowedtime.complex.model` (:class:`Complex`
and its arrays, :class:`ComplexModel`: the API the stress layer builds on) and
:mod:`~borrowedtime.complex.exposures` (look-through views as tables).
"""

from borrowedtime.complex.exposures import (
    Exposures,
    LabExposure,
    PlatformConcentration,
    exposures,
    lab_exposure,
    platform_concentration,
)
from borrowedtime.complex.loader import default_complex_path, load_complex, validate_complex
from borrowedtime.complex.model import (
    NATURE,
    Complex,
    ComplexModel,
    ObligationSchedule,
    group_label,
)
from borrowedtime.complex.schema import (
    CONTRACT_KINDS,
    ENTITY_KINDS,
    OWED_KINDS,
    ComplexSpec,
    Concentration,
    Contract,
    Entity,
    Figure,
    Observation,
)
from borrowedtime.complex.validate import ComplexError, Problem

__all__ = [
    "CONTRACT_KINDS",
    "ENTITY_KINDS",
    "NATURE",
    "OWED_KINDS",
    "Complex",
    "ComplexError",
    "ComplexModel",
    "ComplexSpec",
    "Concentration",
    "Contract",
    "Entity",
    "Exposures",
    "Figure",
    "LabExposure",
    "ObligationSchedule",
    "Observation",
    "PlatformConcentration",
    "Problem",
    "default_complex_path",
    "exposures",
    "group_label",
    "lab_exposure",
    "load_complex",
    "platform_concentration",
    "validate_complex",
]
