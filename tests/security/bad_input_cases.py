"""The bad-input catalogue: what is sent, where, and what must come back.

Each value says, per kind of field, whether it must be refused (a 4xx with
a message, nothing written) or is legitimately valid there (accepted; text
shown back escaped), and why. test_bad_input.py sends every value to every
field it finds: the fields of every form on the site's pages, and every
property and query parameter of the OpenAPI schema.

Kinds of field. Pages (read from the HTML): ``line`` (a one-line text
input), ``text`` (a textarea), ``email``, ``url``, ``password``, ``number``,
``date``, ``hidden``, ``boolean`` (a lone checkbox), ``choice`` (a select,
radio buttons or named buttons), ``choices`` (several checkboxes or a
multiple select). API (read from the schema): ``text``, ``line`` (a string
with a pattern: one line), ``email``, ``url``, ``decimal``, ``date``,
``integer``, ``boolean``, ``choice``, ``array``.
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_plus, urljoin

REFUSED = "refused"
ACCEPTED = "accepted"
EITHER = "either"  # valid or not depending on the field's own rule; never a 5xx

LONG = "x" * 100_000
# A lone surrogate cannot be written in UTF-8: pages receive the bytes a
# broken client would send (what "\ud800" would be), the API its JSON escape.
SURROGATE_BYTES = b"Invoice \xed\xa0\x80 OCR"
SCRIPT = "<script>alert(1)</script>"
HTML = "<b>html</b>"
TEXT_KINDS = {"line", "text"}


@dataclass(frozen=True)
class BadValue:
    name: str
    value: object  # str, or bytes sent as they are
    outcomes: dict  # kind -> REFUSED / ACCEPTED / EITHER; "*" for the rest
    why: str
    escaped: bool = False  # when accepted into text, the page must show it escaped

    def outcome(self, kind: str) -> str:
        return self.outcomes.get(kind, self.outcomes["*"])


# A lone checkbox reads any value but "false" as ticked: nothing of it is stored.
TICKED = {"boolean": ACCEPTED}
# Passwords are kept as typed (only NUL is refused) and hidden fields (a
# "next" address, a terms version) each have their own rule.
OWN_RULE = {"password": EITHER, "hidden": EITHER}

# Every field of a page's form gets these.
FORM_VALUES = [
    BadValue(
        "100,000 characters",
        LONG,
        {"*": REFUSED, **TICKED, **OWN_RULE},
        "every text field has a maximum length (names 100–200, texts 2,000–20,000)",
    ),
    BadValue("NUL byte", "Invoice\x00OCR", {"*": REFUSED, **TICKED, "hidden": EITHER}, "PostgreSQL cannot store NUL"),
    BadValue(
        "lone surrogate (invalid UTF-8)",
        SURROGATE_BYTES,
        {"*": REFUSED},
        "a body that is not UTF-8 is refused before any view (config/middleware.py)",
    ),
    BadValue(
        "escape control character", "Invoice\x1b[31m OCR", {"*": REFUSED, **TICKED, **OWN_RULE}, "controls are refused"
    ),
    BadValue(
        "right-to-left override",
        "Invoice \u202eRCO",
        {"*": REFUSED, **TICKED, **OWN_RULE},
        "bidi overrides can make a title read as another; refused in all text",
    ),
    BadValue(
        "zero-width space",
        "Invoice\u200b OCR",
        {"*": REFUSED, "line": ACCEPTED, "text": ACCEPTED, **TICKED, **OWN_RULE},
        "removed from text (no look-alike names); not a valid e-mail, number, date or choice",
    ),
    BadValue(
        "<script>",
        SCRIPT,
        {"*": REFUSED, "line": ACCEPTED, "text": ACCEPTED, **TICKED, **OWN_RULE},
        "valid text: it is shown escaped, never run",
        escaped=True,
    ),
    BadValue(
        "HTML",
        HTML,
        {"*": REFUSED, "line": ACCEPTED, "text": ACCEPTED, **TICKED, **OWN_RULE},
        "valid text: it is shown escaped",
        escaped=True,
    ),
    BadValue(
        "line break",
        "Invoice\r\nBcc: victim@example.com",
        {"*": REFUSED, "text": ACCEPTED, **TICKED, **OWN_RULE},
        "a one-line value (a name, a title, an address) refuses line breaks (they broke e-mail headers); "
        "a textarea keeps them",
    ),
    BadValue(
        "line separator",
        "Invoice\u2028OCR",
        {"*": REFUSED, "text": ACCEPTED, **TICKED, **OWN_RULE},
        "Unicode's line separator is a line break too",
    ),
    BadValue(
        "dotless ı in an address",
        "al\u0131ce@example.com",
        {"*": REFUSED, "line": EITHER, "url": EITHER, "text": ACCEPTED, **TICKED, **OWN_RULE},
        "PostgreSQL's upper('ı') is 'I': an address with ı looks like (and was found as) another; refused",
    ),
    BadValue(
        "dotted İ in an address",
        "AL\u0130CE@example.com",
        {"*": REFUSED, "line": EITHER, "url": EITHER, "text": ACCEPTED, **TICKED, **OWN_RULE},
        "lower('İ') is i with a combining dot: a look-alike address; refused (a URL may hold it)",
    ),
    BadValue(
        "full-width, long s and Kelvin sign in an address",
        "\uff41\uff4c\uff49\uff43\uff45.\u017f\u212a@example.com",
        {"*": EITHER, **TICKED},
        "folded (NFKC) to alice.sk@example.com: the same address in other characters, never another",
    ),
    BadValue(
        "unknown choice",
        "no-such-choice",
        {"*": EITHER, "choice": REFUSED, "choices": REFUSED, "number": REFUSED, "date": REFUSED, "email": REFUSED},
        "a choice takes only its values",
    ),
]
LINE_BREAK_VALUES = {"line break", "line separator"}
# Numbers, dates and choices also get these (budgets and prices are numbers).
NUMBER_VALUES = [
    BadValue("-1", "-1", {"*": REFUSED, "date": REFUSED}, "amounts and versions are at least 0 or 1"),
    BadValue("NaN", "NaN", {"*": REFUSED}, "not a number"),
    BadValue("Infinity", "Infinity", {"*": REFUSED}, "not a finite number"),
    BadValue("-Infinity", "-Infinity", {"*": REFUSED}, "not a finite number"),
    BadValue("1e400", "1e400", {"*": REFUSED}, "beyond the 12 digits of money, and every integer range"),
    BadValue("1e-400", "1e-400", {"*": REFUSED}, "more than 2 decimal places"),
    BadValue("10**20", str(10**20), {"*": REFUSED}, "beyond every range"),
]
NUMBER_KINDS = {"number", "date"}

# Which of FORM_VALUES a field of each kind gets; every value for the kinds
# not listed. The trimmed kinds compare what they receive with a short list
# (a select's options, a checkbox's "on", a hidden field's version or match
# choice) or parse it as a number or a date: to that comparison every text
# below is the same thing, an unknown value, so one stands for them all. The
# values that other code treats apart stay: the 100,000 characters (the body
# and the field's length), NUL (refused before PostgreSQL, which cannot store
# it) and bytes that are not UTF-8 (the middleware). Hidden fields also keep
# <script>: a refused form writes them back into the page.
FEW_VALUES = {"100,000 characters", "NUL byte", "lone surrogate (invalid UTF-8)", "unknown choice"}
VALUES_BY_KIND = {
    "choice": FEW_VALUES,
    "choices": FEW_VALUES,
    "boolean": FEW_VALUES,
    "hidden": FEW_VALUES | {"<script>"},
    "number": FEW_VALUES,
    "date": FEW_VALUES,
}


def form_values(kind: str) -> list[BadValue]:
    """The values a page's form field of this kind is sent."""
    kept = VALUES_BY_KIND.get(kind)
    values = [bad for bad in FORM_VALUES if kept is None or bad.name in kept]
    if kind in NUMBER_KINDS:
        values += NUMBER_VALUES
    return values


# A form or schema already tried under another route gets only these.
SHARED_FORM_VALUES = {"100,000 characters", "NUL byte", "lone surrogate (invalid UTF-8)", "right-to-left override"}
SHARED_JSON_VALUES = {"NUL byte", "lone surrogate", "item: NUL byte", "unknown choice", "object instead of string",
                      "string instead of number", "-1", "list instead of string"}  # fmt: skip
# Within one form or request body, the first field of each kind gets every
# value of its kind; the next fields of that kind (a create form's title,
# summary, description, notes, terms...) go through the same field classes
# and cleaning, so they get one representative set: what reaches their own
# limits (length, minimum, range, item count), the database and the decoder,
# an unknown choice, and <script> (each field's page must show it escaped).
REPRESENTED_FORM_VALUES = SHARED_FORM_VALUES | {"<script>", "unknown choice", "-1", "line break"}
REPRESENTED_JSON_VALUES = SHARED_JSON_VALUES | {
    "100,000 characters",
    "<script>",
    "10**20",
    "10,000 items",
    "line break",
}

# The page lists' query strings: forgiving on purpose (a stale bookmark still
# shows the list: an invalid filter is ignored, a page number out of range
# shows the nearest page), but never a 5xx; text that is not UTF-8 is a 400.
QUERY_VALUES = [
    BadValue("page 10**20", {"page": str(10**20)}, {"*": ACCEPTED}, "shows the last page"),
    BadValue("page -1", {"page": "-1"}, {"*": ACCEPTED}, "shows the first page"),
    BadValue("page 0", {"page": "0"}, {"*": ACCEPTED}, "shows the first page"),
    BadValue("page abc", {"page": "abc"}, {"*": ACCEPTED}, "shows the first page"),
    BadValue("repeated keys", [("page", "1"), ("page", "2")], {"*": ACCEPTED}, "the last value counts"),
]


def query_field_values(name: str) -> list[BadValue]:
    """What each field of a page's filter form (method GET) is tried with."""
    return [
        BadValue(f"{name}: 100,000 characters", {name: LONG}, {"*": ACCEPTED}, "too long: the filter is ignored"),
        BadValue(f"{name}: NUL byte", {name: "a\x00b"}, {"*": ACCEPTED}, "refused by the filter form: ignored"),
        BadValue(f"{name}: lone surrogate", {name: b"\xed\xa0\x80"}, {"*": REFUSED}, "not UTF-8: refused"),
        BadValue(f"{name}: <script>", {name: SCRIPT}, {"*": ACCEPTED}, "searched for, shown escaped", escaped=True),
        BadValue(f"{name}: unknown choice", {name: "no-such-choice"}, {"*": ACCEPTED}, "ignored"),
        BadValue(f"{name}: -1", {name: "-1"}, {"*": ACCEPTED}, "ignored"),
        BadValue(f"{name}: 1e400", {name: "1e400"}, {"*": ACCEPTED}, "ignored"),
        BadValue(f"{name}: repeated", [(name, "a"), (name, "b")], {"*": ACCEPTED}, "the last value counts"),
    ]


# --- the API ---------------------------------------------------------------------

# Every property of a request body gets the values of its kind; strings are
# JSON strings, so the surrogate travels as the escape "\ud800".
WRONG_TYPES = {
    "list": ["a"],
    "object": {"a": 1},
    "number": 1,
    "boolean": True,
    "null": None,
    "float": 1.5,
    "string": "1",
}
TEXT_JSON_VALUES = {
    "100,000 characters": (LONG, REFUSED),
    "NUL byte": ("Invoice\x00OCR", REFUSED),
    "lone surrogate": ("Invoice \ud800 OCR", REFUSED),
    "escape control character": ("Invoice\x1b[31m OCR", REFUSED),
    "right-to-left override": ("Invoice \u202eRCO", REFUSED),
    "zero-width space": ("Invoice\u200b OCR", ACCEPTED),
    "<script>": (SCRIPT, ACCEPTED),
    "HTML": (HTML, ACCEPTED),
    "line break": ("Invoice\r\nBcc: victim@example.com", ACCEPTED),
    "line separator": ("Invoice\u2028OCR", ACCEPTED),
}
# A one-line text (the schema's pattern, from config.forms.validate_one_line)
# refuses line breaks; an address also refuses look-alike letters.
LINE_JSON_VALUES = {"line break": REFUSED, "line separator": REFUSED}
EMAIL_JSON_VALUES = {
    "dotless ı in an address": ("al\u0131ce@example.com", REFUSED),
    "dotted İ in an address": ("AL\u0130CE@example.com", REFUSED),
}
DECIMAL_JSON_VALUES = {name: (value, REFUSED) for name, value in [
    ("-1", "-1"), ("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
    ("1e400", "1e400"), ("1e-400", "1e-400"), ("10**20", str(10**20)),
]}  # fmt: skip
INTEGER_JSON_VALUES = {"10**20": (10**20, REFUSED), "-1": (-1, REFUSED), "0": (0, REFUSED)}


def json_values(kind: str, nullable: bool, item_kind: str = "") -> dict:
    """name -> (JSON value, outcome) for a property of this kind."""
    values = {}
    if kind in ("text", "line", "email", "url", "code"):
        values |= TEXT_JSON_VALUES
        if kind == "line":
            values |= {name: (values[name][0], outcome) for name, outcome in LINE_JSON_VALUES.items()}
        elif kind != "text":
            values = {name: (value, REFUSED) for name, (value, _o) in values.items()}
        if kind == "email":
            values |= EMAIL_JSON_VALUES
    elif kind == "decimal":
        values |= DECIMAL_JSON_VALUES
    elif kind == "date":
        values |= {"30 February": ("2027-02-30", REFUSED), "year 99999": ("99999-01-01", REFUSED)}
    elif kind == "integer":
        values |= INTEGER_JSON_VALUES
    elif kind == "choice":
        values |= {"unknown choice": ("no-such-choice", REFUSED), "lone surrogate": ("\ud800", REFUSED)}
    elif kind == "array":
        for name, (value, outcome) in json_values(item_kind, False).items():
            values[f"item: {name}"] = ([value], outcome)
        values |= {"10,000 items": (["a"] * 10_000, REFUSED), "nested lists": ([["a"]], REFUSED)}
    json_type = {"text": "string", "line": "string", "email": "string", "url": "string", "decimal": "string", "date": "string",
                 "choice": "string", "integer": "number", "boolean": "boolean", "array": "list",
                 "code": "string"}[kind]  # fmt: skip
    for name, value in WRONG_TYPES.items():
        if name == json_type or (name == "null" and nullable):
            continue
        if name == "float" and kind != "integer":
            continue
        if name == "string" and kind not in ("integer", "boolean"):
            continue
        values[f"{name} instead of {json_type}"] = (value, REFUSED)
    return values


# Whole bodies: sent to every operation that takes a body.
NESTED = "[" * 10_000 + "]" * 10_000
BODY_CASES = {
    "JSON nested 10,000 deep": (NESTED.encode(), "application/json"),
    "object nested 10,000 deep": (('{"a":' * 10_000 + "1" + "}" * 10_000).encode(), "application/json"),
    "a list, not an object": (b'["a"]', "application/json"),
    "a string, not an object": (b'"a"', "application/json"),
    "a number, not an object": (b"1", "application/json"),
    "invalid JSON": (b'{"title": ', "application/json"),
    "not UTF-8": (b'{"title": "\xed\xa0\x80"}', "application/json"),
    "wrong Content-Type (form)": (b"title=x", "application/x-www-form-urlencoded"),
    "wrong Content-Type (text)": (b'{"title": "x"}', "text/plain"),
}
# Of those, the bodies the parser refuses before any view sees them (DRF's
# JSON parser and content negotiation, the UTF-8 middleware: one code path
# for every route) go to the first operation of each method; the bodies that
# parse (a list, a string, a number) reach each view and go to every one.
PARSER_REFUSED = {"JSON nested 10,000 deep", "object nested 10,000 deep", "invalid JSON", "not UTF-8",
                  "wrong Content-Type (form)", "wrong Content-Type (text)"}  # fmt: skip
TEN_MB = 10 * 1024 * 1024
TEN_MB_PADDING = b"&padding=" + b"x" * TEN_MB


# A query parameter already tried under another operation (the same name and
# kind: the paginator's page and page_size, the lists' shared filters) gets
# these: what reaches the decoder and the database, an unknown value, the
# largest number.
REPRESENTED_QUERY_VALUES = {"NUL byte", "lone surrogate", "unknown value", "10**20", "10**9", "abc"}


def api_query_values(name: str, kind: str) -> dict:
    """name -> (query value(s), outcome) for a query parameter."""
    if name == "page":
        values = {"10**20": str(10**20), "-1": "-1", "0": "0", "abc": "abc"}
        return {key: (value, REFUSED) for key, value in values.items()}
    if name == "page_size":
        values = {"10**9": str(10**9), "-5": "-5", "0": "0", "abc": "abc"}
        return {key: (value, REFUSED) for key, value in values.items()}
    cases = {
        "NUL byte": ("a\x00b", REFUSED),
        "lone surrogate": (b"\xed\xa0\x80", REFUSED),
        "100,000 characters": (LONG, EITHER if kind == "text" else REFUSED),
        "<script>": (SCRIPT, ACCEPTED if kind == "text" else REFUSED),
        "repeated": (["a", "b"], EITHER),
    }
    if kind != "text":
        cases |= {"unknown value": ("no-such-choice", REFUSED), "-1": ("-1", REFUSED), "1e400": ("1e400", REFUSED)}
        cases |= {"empty": ("", REFUSED)}
    return cases


def schema_kind(schema: dict, components: dict) -> tuple[str, bool, list]:
    """(kind, nullable, enum) of an OpenAPI property."""
    nullable = bool(schema.get("nullable"))
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            kinds = [schema_kind(part, components) for part in schema[key]]
            enums = [value for _kind, _null, enum in kinds for value in enum]
            kind = next((k for k, _n, _e in kinds if k != "choice"), "choice") if not enums else "choice"
            if any(k == "url" for k, _n, _e in kinds):
                kind = "url"
            return kind, nullable or any(n for _k, n, _e in kinds), enums
    if "$ref" in schema:
        return schema_kind(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "enum" in schema:
        return "choice", nullable, [value for value in schema["enum"] if value is not None]
    kind = schema.get("type")
    fmt = schema.get("format")
    if kind == "string":
        kind = {"decimal": "decimal", "date": "date", "email": "email", "uri": "url"}.get(fmt, "text")
        if kind == "text" and "pattern" in schema:
            kind = "line"
    return {"array": "array", "integer": "integer", "boolean": "boolean"}.get(kind, kind), nullable, []


def json_body(data) -> bytes:
    # ensure_ascii writes a lone surrogate as its escape, which JSON allows.
    return json.dumps(data, ensure_ascii=True).encode()


# --- forms in pages -----------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str
    values: list = field(default_factory=list)  # what the page pre-fills
    options: list = field(default_factory=list)
    required: bool = False


@dataclass
class PageForm:
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name -> FormField


INPUT_KINDS = {
    "text": "line", "search": "line", "tel": "line", "": "line", "email": "email", "url": "url",
    "password": "password", "number": "number", "date": "date", "hidden": "hidden",
}  # fmt: skip


class FormParser(HTMLParser):
    """The forms of a page: their method, action and fields with the values
    a browser would send as they stand."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: FormField | None = None
        self.option: dict | None = None
        self.textarea: FormField | None = None

    def _field(self, name: str, kind: str, required: bool) -> FormField:
        found = self.form.fields.get(name)
        if found is None:
            found = self.form.fields[name] = FormField(name, kind, required=required)
        return found

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.form = PageForm((a.get("method") or "get").lower(), action)
            self.forms.append(self.form)
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif self.form is not None and a.get("name") and "disabled" not in a:
            self._start_field(tag, a)

    def _start_field(self, tag: str, a: dict) -> None:
        name, required = a["name"], "required" in a
        if tag == "input":
            kind = (a.get("type") or "").lower()
            if kind == "submit":
                self._field(name, "choice", False).options.append(a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                found = self._field(name, "choice" if kind == "radio" else "boolean", required)
                found.options.append(a.get("value", "on"))
                if kind == "checkbox" and len(found.options) > 1:
                    found.kind = "choices"
                if "checked" in a:
                    found.values.append(a.get("value", "on"))
            elif name != "csrfmiddlewaretoken" and kind not in ("button", "reset", "image", "file"):
                self._field(name, INPUT_KINDS.get(kind, "line"), required).values = [a.get("value", "")]
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self._field(name, "choice", False).options.append(a.get("value", ""))
        elif tag == "select":
            self.select = self._field(name, "choices" if "multiple" in a else "choice", required)
        elif tag == "textarea":
            self.textarea = self._field(name, "text", required)
            self.textarea.values = [""]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea.values = [self.textarea.values[0] + data]

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option["value"] if self.option["value"] is not None else self.option["text"].strip()
            self.select.options.append(value)
            if self.option["selected"]:
                self.select.values.append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            if not self.select.values and self.select.kind == "choice":
                self.select.values = self.select.options[:1]  # a browser sends the first option
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.textarea.values = [self.textarea.values[0].removeprefix("\n")]
            self.textarea = None


def page_forms(page_url: str, html: str) -> list[PageForm]:
    parser = FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


ERROR_SHOWN = re.compile(r'role="alert"|class="[^"]*\b(?:errorlist|message-error)\b')


def shows_an_error(html: str) -> bool:
    """How an error looks on the project's pages, one rule for all: a
    field's errors (Django's ``errorlist``), the form's error summary and
    other live regions (``role="alert"``), or a message (``message-error``:
    the flashed messages and the 400 page's message)."""
    return ERROR_SHOWN.search(html) is not None


def encode_pairs(pairs: list[tuple[str, object]]) -> bytes:
    """A form body as a browser would send it; bytes values go as they are."""
    return "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in pairs).encode("ascii")
