"""The whole gateway fuzzed from its own /openapi.json (#13 §4): no 5xx.

schemathesis (4.x) reads the schema from the app in process (ASGI, no network) and generates
requests for every operation, valid (positive) and not (negative), derandomized and within a small budget, each sent
with a valid device token of a role that has field tasks.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from console.db import Database
from console.gateway.app import create_app
from console.gateway.rate_limit import RateLimiter
from console.services.api_tokens import ApiTokenService
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.gateway.conftest import settings_for

#: Examples per operation: ~30 operations × this stay within ~30 s on 2 shared cores.
EXAMPLES = 25


@pytest.mark.slow
def test_no_operation_answers_5xx(
    demo_db: Database, tmp_path: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rate limits (per token, per address, failed tokens) would answer 429 to most examples
    # and hide the routes; they are tested in test_rate_limit.py and test_attachment_scope.py.
    monkeypatch.setattr(RateLimiter, "take", lambda self, key, rate: 0.0)
    if hasattr(RateLimiter, "wait"):
        monkeypatch.setattr(RateLimiter, "wait", lambda self, key, rate: 0.0)
    app = create_app(demo_db, settings_for(tmp_path), cases=CaseService(demo_db, clock=clock))
    issuer = ApiTokenService(demo_db)
    auth = {"Authorization": f"Bearer {issuer.create('inspector', 'fuzz').secret}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    statuses: dict[int, int] = {}
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation of the schema loads
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            )
        )
        def run(case: Any) -> None:
            headers = auth
            if case.method.upper() == "DELETE":  # signs the device out: a token of its own
                headers = {"Authorization": f"Bearer {issuer.create('inspector', 'out').secret}"}
            response = case.call(headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: "
                    f"{response.text[:200]} (query {case.query!r}, body {case.body!r:.200})"
                )

        run()
    print(f"{operations} operations, answers by status: {sorted(statuses.items())}")
    assert operations >= 20  # the whole API, not an empty schema
    assert sum(statuses.values()) >= operations * 2  # examples were sent, not skipped
    assert not failures, "\n".join(failures)
    assert time.monotonic() - started < 120
