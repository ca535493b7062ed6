"""Signals of deadlines, sent after the commit that claimed the deadline, exactly once each."""

from django.dispatch import Signal

# deadline_overdue.send(sender=Deadline, deadline=…): the deadline passed while it was open.
deadline_overdue = Signal()
# deadline_reminder.send(sender=Deadline, deadline=…): the reminder time of an open deadline came.
deadline_reminder = Signal()
