"""Collection library: polite fetching, source connectors and item normalisation, free of Django."""
