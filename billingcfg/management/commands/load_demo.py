from django.core.management.base import BaseCommand

from billingcfg.demo.load import demo_is_loadable, demo_load


class Command(BaseCommand):
    help = "Load the demo configuration of the four seed pricing notes. Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the configuration is empty (what `make run` does).",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and not demo_is_loadable():
            self.stdout.write("Configuration already present: demo data not loaded.")
            return
        result = demo_load()
        for label in sorted(set(result.created) | set(result.updated) | set(result.unchanged)):
            self.stdout.write(
                f"{label}: {result.created[label]} created, {result.updated[label]} updated, "
                f"{result.unchanged[label]} unchanged"
            )
        summary = "Demo data loaded." if result.changed else "Demo data already loaded: nothing changed."
        self.stdout.write(self.style.SUCCESS(summary))
