"""What ``raw=True`` returns: the value plus a response object, like msrest's ClientRawResponse.

Batch AI code that passed ``raw=True`` read ``.output`` (the deserialized model) and
``.response`` (the HTTP response: ``status_code``, ``headers['x-ms-request-id']``, ``json()``).
No HTTP happens on most backends, so the response stands for the one the service would have sent:
the ARM URL of the call, its status code, and the output serialized as the REST body.
"""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

__all__ = ["ClientRawResponse", "ServiceRequest", "ServiceResponse"]

T = TypeVar("T")

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content"}


class ServiceRequest:
    """The request a call stands for: ``method`` and ``url`` (ARM URL with ``api-version``)."""

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.url = url
        self.headers: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<ServiceRequest [{self.method}]>"


class ServiceResponse:
    """The response a call stands for; ``json()`` is the output in the service's REST shape."""

    def __init__(self, method: str, url: str, status_code: int, output: Any) -> None:
        self.request = ServiceRequest(method, url)
        self.url = url
        self.status_code = status_code
        self.reason = _REASONS.get(status_code, "OK")
        self._headers: dict[str, str] | None = None
        self._output = output

    @property
    def headers(self) -> dict[str, str]:
        """The response headers (the request id is made when first read: every page of a list
        has a response, and ``uuid`` costs start-up, benchmark 6)."""
        if self._headers is None:
            import uuid

            self._headers = {
                "x-ms-request-id": str(uuid.uuid4()),
                "content-type": "application/json; charset=utf-8",
            }
        return self._headers

    def json(self) -> Any:
        return _rest_body(self._output)

    @property
    def text(self) -> str:
        return json.dumps(self.json())

    @property
    def content(self) -> bytes:
        return self.text.encode("utf-8")

    def __repr__(self) -> str:
        return f"<ServiceResponse [{self.status_code}]>"


def _rest_body(output: Any) -> Any:
    if output is None:
        return None
    if isinstance(output, list):
        return {"value": [_rest_body(item) for item in output]}
    serialize = getattr(output, "serialize", None)
    if callable(serialize):
        return serialize(keep_readonly=True)
    return output


class ClientRawResponse(Generic[T]):
    """``raw=True`` result: ``output`` (the model or None), ``response``, and ``headers``."""

    def __init__(self, output: T, response: ServiceResponse | None) -> None:
        self.output = output
        self.response = response
        self.headers: dict[str, Any] = {}

    def add_headers(self, header_dict: dict[str, str]) -> None:
        """Copy the named response headers into ``headers`` (msrest's signature; types ignored)."""
        if self.response is None:
            return
        for name in header_dict:
            self.headers[name] = self.response.headers.get(name)

    def __repr__(self) -> str:
        return f"<ClientRawResponse output={type(self.output).__name__}>"
