"""Field factories shared by every configuration model."""

from django import forms
from django.db import models

from billingcfg.digits import DecimalSize
from billingcfg.validators import name_validator, one_line_validator, sheet_text_validator, slug_validator

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


def name_field(*, max_length: int = 100, **kwargs) -> models.CharField:
    """A name, label or unit: what the admin accepts here exports to a spreadsheet and imports back unchanged."""
    return models.CharField(max_length=max_length, validators=[name_validator], **kwargs)


def source_field(*, max_length: int = 200, **kwargs) -> models.CharField:
    """One line of free text, such as where a figure comes from: formula-like text is
    fine (spreadsheets get it quoted), a line break is not."""
    return models.CharField(max_length=max_length, blank=True, validators=[one_line_validator], **kwargs)


def line_feeds(value):
    """Text with every line break a line feed. A browser sends a text area's line
    breaks as CR LF, and an XLSX file gives back a line feed for either, so CR LF
    stored would read back from a workbook as a change."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class LineFeedFormField(forms.CharField):
    """A text area whose text as sent and as stored compare equal: unchanged is unchanged."""

    def to_python(self, value):
        return line_feeds(super().to_python(value))


class SheetTextField(models.TextField):
    """Free text (notes, descriptions) as a spreadsheet keeps it: line breaks are line feeds."""

    def to_python(self, value):
        return line_feeds(super().to_python(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LineFeedFormField, **kwargs})


def notes_field(**kwargs) -> SheetTextField:
    return SheetTextField(blank=True, validators=[sheet_text_validator], **kwargs)
