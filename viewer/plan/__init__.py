"""Treatment plans: the model (:mod:`viewer.plan.model`, pure) and the handout export
(:mod:`viewer.plan.export`, renders off screen). ``python -m viewer.plan`` is the command line."""

from .model import *  # noqa: F401,F403
from .model import __all__  # noqa: F401
