"""A page's rows are as many as its form says it sends: a posted TOTAL_FORMS is
the client's word. Django caps it at the formset's absolute_max, but builds and
validates that many forms (2,000 per inline by default) before it refuses the
post, so one forged number cost a model page (three inlines) nearly two minutes.
Here the cap is INLINE_MAX_ROWS, and a count over it is refused before a single
row's form is built."""

from django.core.exceptions import ValidationError
from django.forms.formsets import TOTAL_FORM_COUNT
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.functional import cached_property

# Rows of one inline saved at once: far above any model's variants, costs or rates, or a workflow's steps.
INLINE_MAX_ROWS = 1000


class BoundedInlineFormSet(BaseInlineFormSet):
    """An inline formset that refuses a post of more than its absolute_max rows unread."""

    def posted_too_many(self) -> int | None:
        """The number of rows the post claims, when it is over the limit."""
        if not self.is_bound or not self.management_form.is_valid():
            return None
        posted = self.management_form.cleaned_data[TOTAL_FORM_COUNT]
        return posted if posted > self.absolute_max else None

    @cached_property
    def forms(self) -> list:
        if self.posted_too_many() is not None:
            return []
        return super().forms

    def full_clean(self) -> None:
        posted = self.posted_too_many()
        if posted is None:
            super().full_clean()
            return
        self._errors = []
        self._non_form_errors = self.error_class(
            [
                ValidationError(
                    f"{self.model._meta.verbose_name_plural.capitalize()}: this page sent {posted:,} rows; at most "
                    f"{self.absolute_max:,} can be saved at once. Nothing was saved; reopen the page and try again.",
                    code="too_many_forms",
                )
            ],
            error_class="nonform",
            renderer=self.renderer,
        )


class BoundedInline:
    """An InlineModelAdmin mixin: its formset's absolute_max, Django's cap on the rows
    a post may claim, is INLINE_MAX_ROWS, and a post over it is refused unread."""

    formset = BoundedInlineFormSet

    def get_formset(self, request: HttpRequest, obj=None, **kwargs) -> type[BaseInlineFormSet]:
        return super().get_formset(request, obj, **{"absolute_max": INLINE_MAX_ROWS, **kwargs})
