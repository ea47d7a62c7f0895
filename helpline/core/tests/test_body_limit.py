"""BodyLimitMiddleware: a caller who is not signed in and shows no credentials may not send a
large body — refused from Content-Length before the CSRF check parses the form (issue 18).
``test_serve_door.py`` shows the same at the server's door, before a byte is read."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.tickets.models import Ticket

CAP = 4096


@pytest.fixture
def small_cap(settings):
    settings.ANONYMOUS_MAX_BODY_BYTES = CAP
    return CAP


def _form(size: int) -> dict[str, str]:
    return {"username": "someone@example.test", "password": "x" * size}


def test_an_anonymous_form_over_the_cap_is_refused_before_it_is_parsed(db, small_cap):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", _form(2 * CAP))
    # Not the CSRF 403: the form was never read.
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert f"at most {CAP} bytes" in response.content.decode()


def test_an_anonymous_form_under_the_cap_goes_on_to_the_csrf_check(db, small_cap):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", _form(CAP // 4))
    assert response.status_code == 403


def test_an_api_body_over_the_anonymous_cap_without_credentials_is_json(db, small_cap):
    response = Client().post(
        "/api/v1/tickets", {"subject": "x" * 2 * CAP}, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"request body too large (at most {CAP} bytes)",
        "code": "too_large",
    }


def test_a_signed_in_person_and_a_token_may_send_more(cast, small_cap):
    body = {
        "store": cast.acme_shoes.pk,
        "subject": "Checkout fails",
        "description": "y" * 2 * CAP,
        "issue_type": "functionality",
    }
    response = Client().post(
        "/api/v1/tickets",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {cast.tokens['alice']}"},
    )
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().description == "y" * 2 * CAP

    signed_in = Client()
    signed_in.force_login(cast.alice)
    response = signed_in.post("/support/new/", {"subject": "z" * 2 * CAP})
    assert response.status_code != 413


def test_a_forged_token_over_the_anonymous_cap_is_refused_by_the_endpoint(db, small_cap):
    """The header lets the body past the anonymous cap; the endpoint checks the token before
    it reads the body, and nothing is written."""
    response = Client().post(
        "/api/v1/tickets",
        {"subject": "x" * 2 * CAP},
        content_type="application/json",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401
    assert not Ticket.objects.exists()
