"""The Content-Security-Policy header on every response (YUQING_CSP; empty turns it off).

The UI has no inline scripts or event handlers (behaviours live in static/yuqing/*.js and are declared with
data- attributes), so `script-src 'self'` holds: a payload that slips past escaping still cannot run. Inline
styles stay allowed (style attributes are used for widths and bars); they cannot run code.
"""

from __future__ import annotations

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "YUQING_CSP", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
