"""What an Azure ML service said when it refused a request, kept whole.

A failure is reduced to a :class:`ServiceFailure`: the HTTP status (None when no reply came:
refused connection, timeout, reply lost), the service's error code and its whole message, and
``Retry-After`` when the service asked to wait.  Both Azure ML backends build one from whatever
their SDK raised (each knows its own exception types, see ``azureml/errors.py``), without ever
calling ``str()`` on an SDK exception: azureml-core's ``ServiceException.__str__`` raises
``TypeError`` when the error body has no ``details``.  :func:`cloud_error_for` turns it into the
Batch AI ``CloudError`` users catch, with the service's status, code and message.

A 404 about the resource a call names is answered as Batch AI did: ``<Kind>NotFound`` naming it
(:func:`batchai_compat.domain.answers.not_found`; :func:`not_found_for` finds the name among the
call's arguments, a parameter called after its kind: ``cluster``, ``job``...).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from ...domain import answers
from ...exceptions import cloud_error

__all__ = [
    "TRANSIENT_STATUSES",
    "ServiceFailure",
    "cloud_error_for",
    "converter",
    "failure_from_reply",
    "not_found_for",
    "retry_after_seconds",
    "status_with",
    "translating",
]

T = TypeVar("T")
Builder = Callable[[tuple[Any, ...], dict[str, Any]], "Exception | None"]

#: Statuses worth another try: timeouts, throttling, and the service's own failures.
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_MESSAGE_LIMIT = 4000


@dataclass(frozen=True)
class ServiceFailure:
    """A refused or unanswered request: ``status`` None means no reply arrived."""

    status: int | None
    code: str | None
    message: str
    retry_after: float | None = None

    @property
    def transient(self) -> bool:
        """Whether the same request may succeed later (no reply, throttled, service failure)."""
        return self.status is None or self.status in TRANSIENT_STATUSES


def retry_after_seconds(value: Any, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) in seconds; None when absent/invalid."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


def _header(headers: Any, name: str) -> Any:
    if headers is None:
        return None
    getter = getattr(headers, "get", None)
    if not callable(getter):
        return None
    value = getter(name)
    if value is None and isinstance(headers, Mapping):  # plain dicts are case-sensitive
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return value


def _error_object(document: Any) -> Mapping[str, Any] | None:
    """The ``{"code", "message"}`` object of an error body, wherever the service nested it
    (``{"error": {...}}``, ARM's ``{"error": {"error": ...}}``, azureml-core's
    ``{"error_details": {"error": ...}}``)."""
    if not isinstance(document, Mapping):
        return None
    for key in ("error", "error_details", "Error"):
        inner = _error_object(document.get(key))
        if inner is not None:
            return inner
    if isinstance(document.get("message"), str) or isinstance(document.get("code"), str):
        return document
    return None


def failure_from_reply(status: int | None, headers: Any, text: str | None) -> ServiceFailure:
    """A failure from the HTTP reply itself: the JSON error body's code and message (the
    text as it came when it is not JSON) and ``Retry-After``."""
    code = message = None
    body = (text or "").strip()
    if body:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        error = _error_object(document)
        if error is not None:
            code = error.get("code") if isinstance(error.get("code"), str) else None
            message = error.get("message") if isinstance(error.get("message"), str) else None
            if not message and code is None:
                message = json.dumps(error)
        else:
            message = body
    return ServiceFailure(
        status,
        code,
        (message or (f"HTTP {status}" if status is not None else "no reply"))[:_MESSAGE_LIMIT],
        retry_after_seconds(_header(headers, "Retry-After")),
    )


_FALLBACK_CODES = {404: "ResourceNotFound", 409: "Conflict"}


def cloud_error_for(failure: ServiceFailure, what: str) -> Exception:
    """The Batch AI ``CloudError`` for a failed request about ``what`` ("cluster", "job"...).

    Its status is the service's (500 when no reply came: the request's outcome is unknown), its
    code the service's (else ``ResourceNotFound`` / ``Conflict`` / ``AzureMLError`` /
    ``ServiceUnreachable``), its message the service's whole message after a short prefix.
    """
    if failure.status is None:
        return cloud_error(
            500,
            failure.code or "ServiceUnreachable",
            f"No reply from Azure ML for the {what} request: {failure.message}",
        )
    code = failure.code or _FALLBACK_CODES.get(failure.status, "AzureMLError")
    message = re.sub(r"\s+\n", "\n", failure.message).strip()
    return cloud_error(
        failure.status,
        code,
        f"Azure ML refused the {what} request ({failure.status} {code}): {message}",
    )


Describe = Callable[[BaseException], "ServiceFailure | None"]


def status_with(describe: Describe, error: BaseException) -> int | None:
    """The HTTP status of a failed request as ``describe`` (a backend's reading of its SDK's
    exceptions) sees it; None: no reply, or not a request failure."""
    failure = describe(error)
    return failure.status if failure is not None else None


def converter(describe: Describe, sdk: str) -> Callable[[Exception, str], Exception]:
    """``convert(error, kind)`` for :func:`translating`: the ``CloudError`` of what the service
    said (:func:`cloud_error_for`), or a 500 ``AzureMLError`` naming ``sdk`` when ``error`` is
    no service failure (a defect inside the SDK)."""

    def convert(error: Exception, kind: str) -> Exception:
        failure = describe(error)
        if failure is None:
            return cloud_error(
                500,
                "AzureMLError",
                f"The {kind} request failed inside {sdk}: {type(error).__name__}",
            )
        return cloud_error_for(failure, kind)

    return convert


def not_found_for(function: Callable[..., Any], kind: str) -> Builder:
    """For a backend method about a ``kind``: ``build(args, kwargs)`` gives the service's 404
    for the resource the call named, or None when the method names none (a list, say) or
    creates it (a create's 404 is about something else, a parent or what the resource needs:
    the service's own answer stands)."""
    signature = inspect.signature(function)
    if kind not in signature.parameters or function.__name__.startswith("create_"):
        return lambda args, kwargs: None

    def build(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Exception | None:
        name = signature.bind(*args, **kwargs).arguments[kind]
        return answers.not_found(kind, str(name))

    return build


def translating(
    kind: str, convert: Callable[[Exception, str], Exception]
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A decorator raising ``convert(error, kind)`` (a Batch AI ``CloudError``) for what an SDK
    raised in the decorated call, or Batch AI's ``<Kind>NotFound`` when that is a 404 about the
    resource the call names; batchai_compat's own errors pass unchanged.  Each backend passes
    its SDK's ``convert``.  A backend method (its ``self`` has ``_http_logging``) logs its HTTP
    as its client asked; a poll keeps its caller's say."""
    from ...core import http_logging  # client side only (this package also ships to nodes)

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        not_found = not_found_for(function, kind)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            flag = getattr(args[0], "_http_logging", None) if args else None
            try:
                with (
                    http_logging.enabled_for(flag) if flag is not None else contextlib.nullcontext()
                ):
                    return function(*args, **kwargs)
            except Exception as error:
                if type(error).__module__.startswith("batchai_compat"):
                    raise
                converted = convert(error, kind)
                if getattr(converted, "status_code", None) == 404:
                    named = not_found(args, kwargs)
                    if named is not None:
                        raise named from error
                raise converted from error

        return wrapper

    return decorate
