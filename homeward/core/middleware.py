"""A strict content security policy: everything from our own origin, nothing inline but
the one NHS.UK template script, allowed by its hash."""

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'sha256-tDOvXJi1PXbg0CWjLCCYSNHRXtps26K4JXkE3M6u/c0='",
        "style-src 'self'",
        "img-src 'self' data:",
        # The NHS.UK stylesheet loads the Frutiger typeface from NHS England's asset host.
        "font-src 'self' https://assets.nhs.uk",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response
