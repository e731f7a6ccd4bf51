"""LibreOffice Calc, headless, as the spreadsheet program a user saves a file with:
which soffice to run, whether a machine without one skips the tests or fails
them, and re-saving files through it. `libreoffice_choice` is pure (tested
without LibreOffice)."""

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

HOW_TO_INSTALL = "install it (apt-get install -y libreoffice-calc-nogui)"
SKIPPED = f"LibreOffice tests skipped: no soffice found; {HOW_TO_INSTALL}"
# Excel 2007-365, as "Save As… Excel 2007-365 (.xlsx)" writes it.
XLSX = "xlsx:Calc MS Excel 2007 XML"
# Comma, double quote, UTF-8 (76), from line 1; the 9th token off: cells are saved as stored, not as
# shown (a narrow column would otherwise shorten 0.00000025 to what it displays).
CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false"
CSV_READ = "CSV:44,34,76,1"


def libreoffice_choice(found: str | None, env: Mapping[str, str]) -> tuple[str, str]:
    """("run" | "skip" | "fail", why). Without soffice, skip on a developer's machine, but
    fail in CI (CI set to anything) or when REQUIRE_LIBREOFFICE=1: there a skip would pass unseen."""
    if found:
        return "run", f"LibreOffice: {found}"
    if not (env.get("CI") or env.get("REQUIRE_LIBREOFFICE") == "1"):
        return "skip", SKIPPED
    why = "CI is set" if env.get("CI") else "REQUIRE_LIBREOFFICE=1"
    return (
        "fail",
        f"LibreOffice is missing (no soffice on the PATH) and its tests are required here ({why}): {HOW_TO_INSTALL}",
    )


def soffice_find() -> str | None:
    return shutil.which("soffice")


class LibreOffice:
    """Re-saves files as a user would, several per run (each run starts Calc, about 2 s).
    `profile`: the user profile directory of this test session, so that parallel runs
    (and a user's own LibreOffice) never share one."""

    def __init__(self, soffice: str, profile: Path):
        self.soffice, self.profile = soffice, profile

    def resave(self, files: list[Path], *, to: str, into: Path) -> list[Path]:
        """Each file opened and saved again as `to` (XLSX or CSV) in `into`; the saved files' paths."""
        into.mkdir(parents=True, exist_ok=True)
        read = ["--infilter=" + CSV_READ] if to == CSV else []
        subprocess.run(
            [
                self.soffice,
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--norestore",
                *read,
                "--convert-to",
                to,
                "--outdir",
                str(into),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        saved = [into / f"{file.stem}.{to.split(':')[0]}" for file in files]
        missing = [path.name for path in saved if not path.is_file()]
        assert not missing, f"LibreOffice did not save {missing}"
        return saved
