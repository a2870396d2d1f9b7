import secrets
import time
from datetime import timedelta

import pytest

from ledger_api.auth import NotAuthorised, Principal, issue_token, verify_token

OFFICE = Principal("clerk-1", "office", region="350100")
KEY, OTHER_KEY = secrets.token_urlsafe(32), secrets.token_urlsafe(32)


def test_a_token_verified_once_is_remembered_but_still_expires_on_time():
    token = issue_token(KEY, OFFICE, timedelta(seconds=1))
    assert verify_token(KEY, token) == OFFICE
    assert verify_token(KEY, token) == OFFICE  # remembered
    time.sleep(2.1)  # the expiry is whole seconds
    with pytest.raises(NotAuthorised, match="expired"):
        verify_token(KEY, token)


def test_a_remembered_token_proves_nothing_under_another_key():
    token = issue_token(KEY, OFFICE, timedelta(minutes=5))
    assert verify_token(KEY, token) == OFFICE
    with pytest.raises(NotAuthorised, match="not valid"):
        verify_token(OTHER_KEY, token)
