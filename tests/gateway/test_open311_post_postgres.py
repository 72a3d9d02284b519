"""Open311 POST on PostgreSQL: two identical requests at once make one case (with and without
an Idempotency-Key), an address-only report and its token, a key reused for another body."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import Gateway
from tests.gateway.test_open311_post import (
    check_address_alone,
    check_idempotency_key,
    check_two_at_once,
)
from tests.gateway.test_postgres import pg_gateway  # noqa: F401  (the fixture)

pytestmark = pytest.mark.postgres


def test_two_identical_posts_at_once_on_postgresql(pg_gateway: Gateway) -> None:  # noqa: F811
    check_two_at_once(pg_gateway)


def test_an_address_alone_on_postgresql(pg_gateway: Gateway) -> None:  # noqa: F811
    check_address_alone(pg_gateway)


def test_an_idempotency_key_on_postgresql(pg_gateway: Gateway) -> None:  # noqa: F811
    check_idempotency_key(pg_gateway)
