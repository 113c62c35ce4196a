"""qunzhu (群主): self-hosted software for people who run chat communities."""

__version__ = "0.1.0"
