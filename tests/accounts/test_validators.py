import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    CREDIT_CODE_WEIGHTS,
    credit_code_check_character,
    normalize_credit_code,
    validate_credit_code,
)

# Published codes of real companies (business licences are public documents).
REAL_CODES = [
    "91350100M000100Y43",  # the worked example used in GB 32100-2015 explanations
    "9144030071526726XG",  # Tencent (Shenzhen)
    "914403001922038216",  # Huawei Technologies
    "91330100716105852F",  # Alibaba (China)
    "91110000802100433B",  # Beijing
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    validate_credit_code(code)


def test_weights_are_powers_of_three_mod_31():
    assert CREDIT_CODE_WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert len(CREDIT_CODE_WEIGHTS) == 17


def test_check_character_zero_when_sum_is_multiple_of_31():
    # 17 zeros sum to 0, and (31 - 0) % 31 == 0 maps to "0", not to an index of 31.
    assert credit_code_check_character("00000000000000000") == "0"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [("9144 0300 7152 6726 xg", "9144030071526726XG"), ("91330100-716105852f", "91330100716105852F")],
)
def test_spaces_hyphens_and_case_are_forgiven(typed, normalized):
    assert normalize_credit_code(typed) == normalized
    validate_credit_code(normalize_credit_code(typed))


def test_validator_accepts_only_the_canonical_form():
    # Lower case would let "...852f" sit beside "...852F" in the database.
    assert _error_code("91330100716105852f") == "credit_code_charset"


def _error_code(value):
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(value)
    return caught.value.code


@pytest.mark.parametrize("value", ["", "9144030071526726X", "9144030071526726XGG", "914403"])
def test_wrong_length_is_rejected(value):
    assert _error_code(value) == "credit_code_length"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_alphabet_are_rejected(letter):
    assert _error_code("9144030071526726" + letter + "G") == "credit_code_charset"


def test_punctuation_is_rejected():
    assert _error_code("9144030071526726.G") == "credit_code_charset"


@pytest.mark.parametrize("division", ["A44030", "395678", "990000", "000000"])
def test_division_code_must_be_digits_of_a_real_province(division):
    body = "91" + division + "71526726X"
    assert _error_code(body + credit_code_check_character(body)) == "credit_code_division"


def test_structure_and_check_cannot_tell_an_invented_code():
    # 123456789012345678 has a correct check character, a valid authority and
    # category ("1", "2") and a division starting with 34 (Anhui). The
    # validator catches typing errors; invented codes are caught by an
    # administrator's verification, which is why unverified firms are labelled.
    validate_credit_code("123456789012345678")


@pytest.mark.parametrize("start", ["01", "B1", "90", "Y0"])
def test_unknown_authority_or_category_is_rejected(start):
    body = start + "440300" + "71526726X"
    assert _error_code(body + credit_code_check_character(body)) == "credit_code_authority"


def test_wrong_check_character_is_rejected():
    assert _error_code("9144030071526726XH") == "credit_code_check"


def test_single_typo_in_the_body_is_caught():
    # Changing any one character of a valid code must break the check.
    code = "914403001922038216"
    for position in range(17):
        replacement = "1" if code[position] != "1" else "2"
        typo = code[:position] + replacement + code[position + 1 :]
        with pytest.raises(ValidationError):
            validate_credit_code(typo)


def test_swapped_neighbours_are_caught():
    code = "91330100716105852F"
    swapped = code[:9] + code[10] + code[9] + code[11:]
    assert swapped != code
    assert _error_code(swapped) == "credit_code_check"
