from qunzhu.governance.errors import GovernanceError


class ActivityError(GovernanceError):
    """A refused operator or member request about an activity; the message says why.

    A kind of :class:`GovernanceError` so the console shows both the same way."""
