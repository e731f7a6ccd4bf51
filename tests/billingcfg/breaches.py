"""Breaking one database constraint on purpose, and checking that both the
database and the model's validation (what the admin shows) refuse it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction


@dataclass(frozen=True)
class Breach:
    """`build` returns an unsaved row that breaks exactly the rule `constraint`
    (the rows it points to are saved). `admin_error` is (field, message) when the
    model's clean() names the mistake, field by field, before the constraint
    does; otherwise the admin shows the constraint's own message."""

    constraint: str
    label: str
    build: Callable[[], models.Model]
    admin_error: tuple[str, str] | None = None

    @property
    def id(self) -> str:
        return f"{self.constraint}[{self.label}]"


def constraint_named(model: type[models.Model], name: str) -> models.BaseConstraint:
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return constraint
    raise LookupError(f"{model.__name__} declares no constraint {name!r}")


def assert_database_refuses(breach: Breach) -> None:
    """The database refuses the row naming this rule, and full_clean() refuses
    it with the message the admin shows. Every shortfall is reported at once."""
    instance = breach.build()
    constraint = constraint_named(type(instance), breach.constraint)
    problems = _database_problems(instance, constraint) + _admin_problems(instance, constraint, breach.admin_error)
    assert not problems, f"{breach.id}: " + " ".join(problems)


def _database_problems(instance: models.Model, constraint: models.BaseConstraint) -> list[str]:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        error = str(exc)
    else:
        return [f"The database ACCEPTED the row although the rule says {constraint.violation_error_message!r}."]
    if isinstance(constraint, models.CheckConstraint) or connection.vendor == "postgresql":
        named = constraint.name in error
    else:
        # SQLite names the columns of a violated unique index, not the index.
        meta = instance._meta
        named = all(f"{meta.db_table}.{meta.get_field(name).column}" in error for name in constraint.fields)
    return [] if named else [f"The database refused the row for another reason: {error}."]


def _admin_problems(instance, constraint, admin_error) -> list[str]:
    try:
        # Django fills "%(name)s" into the message: a bare "%" breaks it.
        own_message = constraint.get_violation_error_message()
    except (ValueError, TypeError, KeyError) as exc:
        return [
            f"The admin cannot show violation_error_message {constraint.violation_error_message!r}: Django "
            f"%-formats it and fails with {exc!r}; a literal % must be written %%."
        ]
    problems = []
    try:
        constraint.validate(type(instance), instance)
    except ValidationError as exc:
        if exc.messages != [own_message]:
            problems.append(f"The constraint's own check says {exc.messages!r}, not {own_message!r}.")
    else:
        problems.append("The constraint's own check (Constraint.validate) ACCEPTS the row.")

    expected = {admin_error[0]: [admin_error[1]]} if admin_error else [own_message]
    try:
        instance.full_clean()
    except ValidationError as exc:
        shown = exc.message_dict if admin_error else exc.messages
        if shown != expected:
            problems.append(f"full_clean() says {shown!r}, not {expected!r}.")
    else:
        problems.append("full_clean() ACCEPTS the row: the admin would let it through.")
    return problems
