"""Activities tests build on the governance tests' builders (groups, members, messages)."""
