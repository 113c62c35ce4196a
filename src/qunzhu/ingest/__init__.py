"""Importers: one module per export format, each a streaming parser to ChatEvents."""
