"""Finding 7: sign-up answered in 56 ms for a known address and 382 ms for a new one.

Both paths now do the same work in the request: one password hash, no email sent while
the person waits, one email queued for the worker once the transaction commits. The
times themselves are measured by bench/signup_timing.py (docs/benchmarks.md), not here.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

from accounts.tasks import account_email_send_task

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Ana Pérez",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
}


def _sign_up(client, email: str, capture) -> dict:
    """Sign up and report the work the request did before and after commit."""
    encode = MD5PasswordHasher.encode
    with (
        mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=encode) as hashed,
        mock.patch.object(
            account_email_send_task, "delay", wraps=account_email_send_task.delay
        ) as queued,
        capture(execute=False) as callbacks,
    ):
        response = client.post(reverse("accounts:signup"), {**FORM, "email": email})
        sent_in_request = len(mail.outbox)
        queued_in_request = queued.call_count
    for callback in callbacks:  # the commit
        with mock.patch.object(
            account_email_send_task, "delay", wraps=account_email_send_task.delay
        ) as queued_after:
            callback()
    return {
        "status": response.status_code,
        # The page, with the address and the (masked, per response) CSRF token set aside.
        "page": re.sub(r'"[A-Za-z0-9]{64}"', "", response.content.decode()).replace(email, "@"),
        "hashes": hashed.call_count,
        "sent_in_request": sent_in_request,
        "queued_in_request": queued_in_request,
        "on_commit": len(callbacks),
        "queued_on_commit": queued_after.call_count,
        "sent": len(mail.outbox),
    }


def test_known_and_new_addresses_do_the_same_work(client, user, django_capture_on_commit_callbacks):
    known = _sign_up(client, user.email, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    new = _sign_up(client, "new.person@example.org", django_capture_on_commit_callbacks)
    assert known == new
    assert new["hashes"] == 1
    assert new["sent_in_request"] == 0 and new["queued_in_request"] == 0
    assert new["on_commit"] == 1 and new["queued_on_commit"] == 1
    assert new["sent"] == 1


def test_the_queued_emails_say_different_things(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), {**FORM, "email": user.email})
        client.post(reverse("accounts:signup"), {**FORM, "email": "new.person@example.org"})
    to_owner, to_new = mail.outbox
    assert to_owner.to == [user.email] and "already has one" in to_owner.body
    assert to_new.to == ["new.person@example.org"] and "/accounts/verify/" in to_new.body


def test_a_broker_outage_does_not_break_sign_up(client, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    with (
        mock.patch.object(account_email_send_task, "delay", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("accounts:signup"), {**FORM, "email": "x@example.org"})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()


def _reset(client, email: str) -> dict:
    from accounts.tasks import password_reset_send_task

    with mock.patch.object(password_reset_send_task, "delay") as queued:
        response = client.post(reverse("accounts:password_reset"), {"email": email})
    return {
        "status": response.status_code,
        "location": response["Location"],
        "sent_in_request": len(mail.outbox),
        "queued": [call.args[1:] for call in queued.call_args_list],
    }


def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(client, user):
    """Django sent the reset email inside the request for a known address only."""
    known = _reset(client, user.email)
    unknown = _reset(client, "nobody@example.org")
    assert known == unknown
    assert known["sent_in_request"] == 0 and len(known["queued"]) == 1


def test_the_worker_sends_the_reset_link_in_the_askers_language(client, user):
    client.post(
        reverse("accounts:password_reset"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="es"
    )
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "http://testserver/accounts/password/reset/" in message.body
    assert message.body.startswith("Hola:")
