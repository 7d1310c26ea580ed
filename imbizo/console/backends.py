"""The lockout backend: django-axes refuses a locked-out username and address before any
password is checked."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """AxesStandaloneBackend, except that ``authenticate()`` called without a request
    (Django's test client ``login()``, a script) passes on to the next backend: there is
    no client address to count or lock. Every sign-in page passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
