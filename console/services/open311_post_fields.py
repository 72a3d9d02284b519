"""An Open311 GeoReport v2 POST's fields, read and checked (console.services.open311_intake
files them).

Besides the report itself (service_code, lat/long or an address, description, the caller's
name and phone), a request may carry ``email``, ``device_id``, ``account_id``, ``media_url``,
``address_id`` and ``attribute[…]``: kept as :class:`Extras`, for staff only. Every field is
checked here or by ``report_input.validate`` (the point's district check is the workflow's,
when the case is made), and a bad one names the field as Open311 names it. No Qt, no HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from console.errors import ConsoleError, MissingFieldError, TextTooLongError, ValidationError
from console.models import Open311Extras
from console.services import idempotency
from console.services.ingest.mapping import check_swapped
from console.services.ingest.open311_reader import Service
from console.services.report_input import ReportInput, validate

#: The POST's fields (Open311's, plus the extension ``source``); each makes the fingerprint.
FIELDS = (
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "email",
    "phone",
    "first_name",
    "last_name",
    "device_id",
    "account_id",
    "media_url",
    "source",
)
#: Report fields → the Open311 names a client knows them by, for error messages.
OPEN311_FIELD = {
    "lon": "long",
    "category_code": "service_code",
    "address": "address_string",
    "reporter": "first_name",
    "reporter_phone": "phone",
    "kind": "service_code",
    "taxonomy": "service_code",
}
MAX_EMAIL = 254
MAX_ID = 64
MAX_URL = 1024
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_VALUE = 1000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,64})\](\[\])?")


@dataclass(frozen=True)
class Extras:
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None
    address_id: str | None = None
    attributes: Mapping[str, str | list[str]] | None = None

    def row(self, *, case_id: int | None = None, pending_id: int | None = None) -> Open311Extras:
        return Open311Extras(
            case_id=case_id,
            pending_id=pending_id,
            email=self.email,
            device_id=self.device_id,
            account_id=self.account_id,
            media_url=self.media_url,
            address_id=self.address_id,
            attributes=json.dumps(self.attributes, ensure_ascii=False, sort_keys=True)
            if self.attributes
            else None,
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__)


@dataclass(frozen=True)
class Open311Post:
    """A POST read: the report (lon/lat None when ``located`` is False) and its extras."""

    service_code: str
    report: ReportInput
    extras: Extras
    located: bool


def _text(data: Mapping[str, object], name: str, limit: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(f"{name} 必须是文本", field=name)
    text = value.strip()
    if len(text) > limit:
        raise TextTooLongError(f"{name} 过长: {len(text)} 个字符，最多 {limit} 个", field=name)
    return text or None


def attributes_of(
    data: Mapping[str, object], form_items: Sequence[tuple[str, str]] = ()
) -> dict[str, str | list[str]]:
    """``attribute[code]`` values (a form's repeated ``attribute[code][]`` make a list), or a
    JSON body's ``attribute`` object."""
    found: dict[str, str | list[str]] = {}

    def put(code: str, value: object, many: bool) -> None:
        values = value if isinstance(value, list) else [value]
        texts = []
        for v in values:
            if isinstance(v, bool) or not isinstance(v, str | int | float):
                raise ValidationError(f"attribute[{code}] 必须是文本", field=f"attribute[{code}]")
            text = str(v).strip()
            if len(text) > MAX_ATTRIBUTE_VALUE:
                raise TextTooLongError(
                    f"attribute[{code}] 过长: {len(text)} 个字符，最多 {MAX_ATTRIBUTE_VALUE} 个",
                    field=f"attribute[{code}]",
                )
            texts.append(text)
        old = found.get(code)
        if many or isinstance(value, list) or old is not None:
            merged = ([old] if isinstance(old, str) else list(old or [])) + texts
            found[code] = merged
        else:
            found[code] = texts[0]

    nested = data.get("attribute")
    if isinstance(nested, Mapping):
        for code, value in nested.items():
            if not isinstance(code, str) or not 0 < len(code) <= MAX_ID:
                raise ValidationError("attribute 的键须为 1 到 64 个字符", field="attribute")
            put(code, value, False)
    elif nested is not None:
        raise ValidationError("attribute 应为对象 {代码: 值}", field="attribute")
    items: list[tuple[str, object]] = list(form_items) or list(data.items())
    for name, value in items:
        match = _ATTRIBUTE.fullmatch(name)
        if match:
            put(match.group(1), value, bool(match.group(2)))
    if len(found) > MAX_ATTRIBUTES:
        raise ValidationError(f"attribute 最多 {MAX_ATTRIBUTES} 项", field="attribute")
    return found


def _extras(data: Mapping[str, object], attributes: dict[str, str | list[str]]) -> Extras:
    email = _text(data, "email", MAX_EMAIL)
    if email is not None and not _EMAIL.fullmatch(email):
        raise ValidationError(f"email 格式不正确: {email[:60]}", field="email")
    media_url = _text(data, "media_url", MAX_URL)
    if media_url is not None and not _URL.fullmatch(media_url):
        raise ValidationError("media_url 应为 http(s):// 开头的链接", field="media_url")
    return Extras(
        email=email,
        device_id=_text(data, "device_id", MAX_ID),
        account_id=_text(data, "account_id", MAX_ID),
        media_url=media_url,
        address_id=_text(data, "address_id", MAX_ID),
        attributes=attributes or None,
    )


def reporter_of(data: Mapping[str, object]) -> object:
    """first_name and last_name joined (the case's reporter), or None."""
    names = [data.get("first_name"), data.get("last_name")]
    if any(n is not None and not isinstance(n, str) for n in names):
        raise ValidationError("姓名必须是文本", field="first_name")
    joined = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    return joined or None


def present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def read_post(
    data: Mapping[str, object],
    service: Service,
    source: str,
    attributes: dict[str, str | list[str]],
) -> Open311Post:
    """The POST as a report plus extras, every field checked (the point's district check is
    the workflow's, when the case is made)."""
    lon, lat = data.get("long"), data.get("lat")
    located = present(lon) or present(lat)
    extras = _extras(data, attributes)
    address = data.get("address_string")
    if not present(address):
        if located:
            address = f"坐标 {lon}, {lat}"  # Open311 lets lat/long stand for the address
        elif extras.address_id:
            address = f"地址编号 {extras.address_id}"
        else:
            raise MissingFieldError(
                "缺少位置：请给出 lat 与 long，或 address_string / address_id", field="long"
            )
    if located:
        check_swapped(lon, lat)
    description = data.get("description")
    if not present(description):
        description = service.name or service.category_code
    report = ReportInput(
        category_code=service.category_code,
        taxonomy=service.taxonomy,
        kind=service.kind,
        # The raw values: validate() converts and words the error (as for every intake).
        lon=lon if located else None,  # type: ignore[arg-type]
        lat=lat if located else None,  # type: ignore[arg-type]
        description=description,  # type: ignore[arg-type]
        address=address,  # type: ignore[arg-type]
        source=source,
        reporter=reporter_of(data),  # type: ignore[arg-type]
        reporter_phone=data.get("phone"),  # type: ignore[arg-type]
    )
    if not located:
        # Every text check now; the point's are made when the seat places it.
        report = replace(validate(replace(report, lon=0.0, lat=0.0)), lon=None, lat=None)  # type: ignore[arg-type]
    return Open311Post(str(data.get("service_code")).strip(), report, extras, located)


def fingerprint(data: Mapping[str, object], attributes: Mapping[str, object]) -> str:
    fields = {name: str(data.get(name) or "").strip() for name in FIELDS}
    fields["attribute"] = json.dumps(attributes, ensure_ascii=False, sort_keys=True)
    return idempotency.fingerprint(fields, [])


def open311_field(exc: ConsoleError) -> ConsoleError:
    """``exc`` with its field named as Open311 names it."""
    if exc.field in OPEN311_FIELD:
        exc.field = OPEN311_FIELD[exc.field]
    return exc
