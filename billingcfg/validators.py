from django.core.validators import RegexValidator

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens or underscores between them, e.g. sora-2-pro.",
    code="invalid_slug",
)

currency_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{2,9}$",
    "Use 3 to 10 capital letters or digits, starting with a letter, e.g. USD or PTS.",
    code="invalid_currency_code",
)
