"""Validation of the Unified Social Credit Code (统一社会信用代码), GB 32100-2015.

Layout of the 18 characters:
  1     registration authority code (1-9, A, N, Y)
  2     organisation category code (1-9)
  3-8   administrative division code (digits, GB/T 2260; starts with a province)
  9-17  organisation code (the body of the GB 11714 code)
  18    check character over the first 17, weighted, modulo 31

The code uses the digits and 21 capital letters: I, O, S, V and Z are left out
because they are easily confused with 1, 0, 5, U and 2.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_LENGTH = 18
# Weight of position i (0-based) is 3**i mod 31.
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(CREDIT_CODE_LENGTH - 1))
_VALUE = {char: value for value, char in enumerate(CREDIT_CODE_ALPHABET)}
# Registration authorities: 1-9 (staffing, foreign affairs, justice, culture,
# civil affairs, tourism, religion, trade unions, market regulation),
# A (military), N (agriculture), Y (others).
REGISTRATION_AUTHORITIES = frozenset("123456789ANY")
# First two digits of the administrative division code (GB/T 2260): the
# provincial-level divisions, and 10 for registrations at national level.
DIVISION_PREFIXES = frozenset(
    ["10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
     "71", "81", "82"]
)  # fmt: skip


def normalize_credit_code(value: str) -> str:
    """Upper-case and drop spaces and hyphens people type for readability."""
    return "".join(value.split()).replace("-", "").upper()


def credit_code_check_character(first17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Validate a credit code as given; forms normalise input before this runs
    (``CreditCodeFormField``), so a stored code is always in canonical form."""
    code = value
    if len(code) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _("A Unified Social Credit Code has 18 characters; this one has %(length)d."),
            code="credit_code_length",
            params={"length": len(code)},
        )
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        raise ValidationError(
            _(
                "A Unified Social Credit Code cannot contain %(chars)s (only digits and capital letters without I, O, S, V, Z)."
            ),
            code="credit_code_charset",
            params={"chars": ", ".join(bad)},
        )
    if code[0] not in REGISTRATION_AUTHORITIES or not "1" <= code[1] <= "9":
        raise ValidationError(
            _(
                "The first two characters of a Unified Social Credit Code name the registering authority "
                "and the kind of organisation; %(start)s is not a combination in use."
            ),
            code="credit_code_authority",
            params={"start": code[:2]},
        )
    if not code[2:8].isdigit() or code[2:4] not in DIVISION_PREFIXES:
        raise ValidationError(
            _(
                "Characters 3 to 8 of a Unified Social Credit Code are the administrative division code and must be digits."
            ),
            code="credit_code_division",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "This Unified Social Credit Code is not valid: its check character does not match. Please check for typing errors."
            ),
            code="credit_code_check",
        )
