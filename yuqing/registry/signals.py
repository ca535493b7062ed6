"""Signals the registry sends after commit; other apps (reports, publishing) listen here."""

from django.dispatch import Signal

# filing_submitted(sender=Filing, filing) and filing_decided(sender=Filing, filing, approved: bool)
filing_submitted = Signal()
filing_decided = Signal()
