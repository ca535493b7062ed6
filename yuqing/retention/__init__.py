"""Retention: collected items older than an organisation's retention period are removed in batches."""
