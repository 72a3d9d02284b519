"""Cases naming register objects on PostgreSQL (issue 17): the owner's routing, 结案's status
change and the evaluation's grouped figures run the SQLite tests' own functions on a copy of the
seeded demo in PostgreSQL (``demo_db`` below is that copy, its demo census emptied: the tests
place their own objects, with their own identifiers, alone within 30 m)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete

from console.db import Database
from console.models import Component, ComponentChange
from tests.services.components.test_case_component import (  # noqa: F401 (fixture, tests)
    owned,
    test_close_sets_a_broken_object_intact_by_default,
    test_dispatch_goes_to_the_owner_before_the_route,
    test_the_detail_shows_the_object_and_its_other_cases,
)
from tests.services.evaluation.test_component_figures import (  # noqa: F401 (fixture, tests)
    crafted,
    test_november_and_december_by_hand,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def demo_db(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    with database.session() as s:
        s.execute(delete(ComponentChange))
        s.execute(delete(Component))
    yield database
    database.dispose()
