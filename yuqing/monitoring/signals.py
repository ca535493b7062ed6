"""Signals between collection and detection, so neither imports the other.

`items_stored` is sent after the transaction that stored items commits; detection listens and analyses them.
`source_failing` is sent when a source has failed N times in a row; notification listens and alerts people.
"""

from django.dispatch import Signal

# kwargs: organization_id: int, new_ids: list[int], updated_ids: list[int]  (updated = metrics or text changed)
items_stored = Signal()
# kwargs: source (monitoring.Source instance), failures: int, error: str
source_failing = Signal()
