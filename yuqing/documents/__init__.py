"""Documents: GB/T 9704-2012 official documents (DOCX), spreadsheets (XLSX) and a CSV/XLSX reader; pure, no Django.

Each writer takes plain data and returns bytes; messages are English templates marked with ``gettext_noop``
so the Django layer translates them (``err.render(gettext)``).
"""
