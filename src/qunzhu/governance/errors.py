"""The one error governance services raise for a request they refuse."""


class GovernanceError(Exception):
    """A refused request, with a sentence for the operator (already translated)."""
