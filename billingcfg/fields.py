"""Field factories shared by every configuration model."""

from django.db import models

from billingcfg.digits import DecimalSize
from billingcfg.validators import slug_validator

SLUG_MAX_LENGTH = 80


def slug_field(*, unique: bool = True, help_text: str = "") -> models.SlugField:
    return models.SlugField(
        max_length=SLUG_MAX_LENGTH,
        unique=unique,
        validators=[slug_validator],
        help_text=help_text or "Stable key used by the API and spreadsheets, e.g. sora-2-pro.",
    )


def decimal_field(size: DecimalSize, **kwargs) -> models.DecimalField:
    return models.DecimalField(**size.field_kwargs, **kwargs)
