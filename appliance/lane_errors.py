"""The lane's own error, kept apart so the lane's parts can raise it without importing the lane."""

from __future__ import annotations

from appliance.domain.errors import DomainError


class LaneError(DomainError):
    """A command the lane refused; the message is for the person at the lane."""
