"""Property-based tests of the whole JSON API from its OpenAPI spec (Schemathesis): whatever
the input, no operation answers 500. Bounded: a few examples per operation, as an admin."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from gardien.app.runtime import Runtime
from gardien.web.app import create_app
from tests.web.conftest import MakeUser, bearer

#: Streams never end by themselves; they have their own tests.
STREAMS = ("/api/v1/queues/moderation/events",)
EXAMPLES = 4


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # one backend keeps it quick
def test_no_input_makes_any_operation_fail(runtime: Runtime, make_user: MakeUser) -> None:
    headers = bearer(make_user("ada", admin=True))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime))
    operations = [result.ok() for result in schema.get_all_operations()]
    checked = []
    for operation in operations:
        if operation.path in STREAMS:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=(not_a_server_error,))

        call()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 10, checked
