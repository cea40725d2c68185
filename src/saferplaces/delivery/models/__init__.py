"""The delivery models: initiatives with strands, action plans and outputs
(initiatives.py), funding streams, allocations and quarterly returns (funding.py), and
how an initiative is evaluated and what avoided harm is worth (evaluation.py)."""

from saferplaces.delivery.models.evaluation import *  # noqa: F403
from saferplaces.delivery.models.funding import *  # noqa: F403
from saferplaces.delivery.models.initiatives import *  # noqa: F403
