from django.dispatch import Signal

event_level_raised = Signal()
