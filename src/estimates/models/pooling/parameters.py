"""The pooling model's own parameters: none. It takes the joint estimate's (statements, shape prior,
reading weight) from attrition, whose bottom line rests on the same estimate."""

from __future__ import annotations

PARAMETERS: dict = {}
