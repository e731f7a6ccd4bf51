"""Make before_products.json.gz: a database as it was before products (issue 15),
for tests/billingcfg/test_migration_products.py.

It is made with the code of the last commit before products, 425ab5d, in a
worktree of its own with its own virtualenv:

    git worktree add /tmp/oldtree 425ab5d
    cd /tmp/oldtree && python3.13 -m venv .venv && .venv/bin/pip install -r requirements.txt
    cd /work/main && .venv/bin/python tests/data/premigration/make.py /tmp/oldtree

In a new SQLite database the old code runs, as an operator would:
`migrate`; `load_demo`; `demo_releases` (v1, seed 003's flat rates; v2, its
per-second rates); a user `ops` (no password) who makes the API key
"old svc", and a user `ed` (no password) in the editor group; then a few
edits after v2 that leave history behind (a pack's price changed, a pack, a
threshold and a model with its costs deleted). `dumpdata` then writes every
row of billingcfg, rates, plans (simple_history's tables included), the users,
groups, permissions and content types (the roles' permissions follow the
policy when it becomes a product). Beside the rows:
the old code's diff of v1 → v2 and the API key (a throwaway, for this data
alone), so the test can compare today's answers with the old ones.

The rows are at the migration state billingcfg 0007, rates 0003, plans 0002."""

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "before_products.json.gz"
STATE = {
    "billingcfg": "0007_names_one_line_not_formulas_notes_line_feeds",
    "rates": "0003_names_one_line_not_formulas_notes_line_feeds",
    "plans": "0002_names_one_line_not_formulas_notes_line_feeds",
}

EDITS = """
from django.contrib.auth.models import Group, User

from billingcfg.models import AlertThreshold
from plans.models import CreditPack
from rates.models import AIModel

pack = CreditPack.objects.order_by("sort_order", "name").first()
pack.price = pack.price + 1
pack._change_reason = "After v2: a pack's price"
pack.save()
CreditPack.objects.order_by("sort_order", "name").last().delete()
AlertThreshold.objects.order_by("slug").last().delete()
AIModel.objects.get(slug="gpt-3-5-turbo").delete()
User.objects.create_user("ed", password=None, is_staff=True).groups.add(Group.objects.get(name="editor"))
"""

OLD_DIFF = """
import json
from billingcfg.release_models import Release
from pricing.diff import document_diff

v1, v2 = (json.loads(release.document) for release in Release.objects.order_by("version"))
print(json.dumps(document_diff(v1, v2)))
"""


def main(old_tree: Path) -> None:
    python = str(old_tree / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/before.sqlite3"}

        def run(*args: str) -> str:
            done = subprocess.run(
                [python, "manage.py", *args], cwd=old_tree, env=env, check=True, capture_output=True, text=True
            )
            return done.stdout

        run("migrate", "--no-input")
        run("load_demo")
        run("demo_releases")
        run("createsuperuser", "--no-input", "--username", "ops", "--email", "ops@example.com")
        api_key = run("create_api_key", "old svc", "--user", "ops").splitlines()[0].strip()
        run("shell", "-v", "0", "-c", EDITS)
        old_diff = json.loads(run("shell", "-v", "0", "-c", OLD_DIFF))
        applied = run("showmigrations", "billingcfg", "rates", "plans", "--plan")
        for app, name in STATE.items():
            assert f"[X]  {app}.{name}" in applied, f"{app} is not at {name}"
        rows = json.loads(run("dumpdata", "billingcfg", "rates", "plans", "auth", "contenttypes"))
    data = {"state": STATE, "api_key": api_key, "old_diff_v1_v2": old_diff, "objects": rows}
    OUT.write_bytes(gzip.compress(json.dumps(data, sort_keys=True).encode(), mtime=0))
    print(f"{OUT}: {len(rows)} rows, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OLD_TREE (a worktree of 425ab5d with its .venv)")
    main(Path(sys.argv[1]))
