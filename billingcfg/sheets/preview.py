"""What an import preview shows of one sheet: how many rows are new, changed,
unchanged and invalid, every problem with its row and column, and the changed
and new rows themselves, each list cut at `limit` so that a 20,000-row sheet
previews as fast as a small one."""

from dataclasses import dataclass, field

from import_export.results import Result, RowResult

from billingcfg.core.capping import MESSAGES_SHOWN

LIMIT = 200


@dataclass(frozen=True)
class ChangedRow:
    row: int
    key: str
    changes: list[tuple[str, str, str]]  # column, old cell, new cell


@dataclass(frozen=True)
class ProblemRow:
    row: int
    column: str  # "" when the rule spans the row; "a, b" when it reads several columns
    message: str

    @property
    def columns(self) -> list[str]:
        return self.column.split(", ") if self.column else []


@dataclass
class SheetPreview:
    name: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[str] = field(default_factory=list)  # the sheet as a whole, or rows that could not be read
    problems: list[ProblemRow] = field(default_factory=list)
    changed_rows: list[ChangedRow] = field(default_factory=list)
    new_rows: list[tuple[int, str]] = field(default_factory=list)
    problem_count: int = 0  # errors and problems
    limit: int = LIMIT

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged + self.invalid

    @property
    def more_problems(self) -> int:
        return max(self.problem_count - len(self.errors) - len(self.problems), 0)

    @property
    def more_changed(self) -> int:
        return self.changed - len(self.changed_rows)

    @property
    def more_new(self) -> int:
        return self.new - len(self.new_rows)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problem_count

    def messages(self) -> list[str]:
        """Every problem as one line naming the sheet, the row and the column."""
        lines = [f"Sheet '{self.name}': {error}" if not error.startswith("Sheet '") else error for error in self.errors]
        for problem in self.problems:
            place = f"Sheet '{self.name}', row {problem.row}"
            if problem.columns:
                named = ", ".join(f"'{column}'" for column in problem.columns)
                place += f", column {named}" if len(problem.columns) == 1 else f", columns {named}"
            lines.append(f"{place}: {problem.message}")
        return lines


def sheet_preview(name: str, result: Result | None, *, error: str = "", limit: int | None = None) -> SheetPreview:
    """`limit` None: the module's LIMIT, read when called, and MESSAGES_SHOWN problems."""
    shown = min(LIMIT, MESSAGES_SHOWN) if limit is None else limit
    limit = LIMIT if limit is None else limit
    preview = SheetPreview(name=name, limit=limit)
    errors = [error] if error else []
    if result is not None:
        errors += [str(error.error) for error in result.base_errors]
        errors += [f"row {number + 1}: {error.error}" for number, failures in result.row_errors() for error in failures]
    preview.errors = errors[:shown]
    preview.problem_count = len(errors)
    if result is None:
        return preview
    totals = result.totals
    preview.new = totals.get(RowResult.IMPORT_TYPE_NEW, 0)
    preview.changed = totals.get(RowResult.IMPORT_TYPE_UPDATE, 0)
    preview.unchanged = totals.get(RowResult.IMPORT_TYPE_SKIP, 0)
    preview.invalid = len(result.invalid_rows)
    count = 0
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            for message in messages:
                count += 1
                if len(preview.errors) + len(preview.problems) < shown:
                    preview.problems.append(
                        ProblemRow(row.number + 1, "" if column == "__all__" else column, str(message))
                    )
    preview.problem_count += count
    for row in result.rows:
        if row.import_type == RowResult.IMPORT_TYPE_UPDATE and len(preview.changed_rows) < limit:
            preview.changed_rows.append(ChangedRow(row.sheet_row, row.key_text, row.changes))
        elif row.import_type == RowResult.IMPORT_TYPE_NEW and len(preview.new_rows) < limit:
            preview.new_rows.append((row.sheet_row, row.key_text))
    return preview
