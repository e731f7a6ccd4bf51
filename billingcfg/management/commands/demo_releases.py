from django.core.management.base import BaseCommand

from billingcfg.demo.history import demo_releases_publish


class Command(BaseCommand):
    help = (
        "Publish the demo's two releases, seed 003's flat-rate pricing (v1) and its per-second pricing (v2), "
        "when nothing is published yet. Run after load_demo."
    )

    def handle(self, *args, **options):
        published = demo_releases_publish()
        if not published:
            self.stdout.write("Releases already published: demo releases not added.")
            return
        for release in published:
            self.stdout.write(f"Published v{release.version}: {release.note}")
        self.stdout.write(
            self.style.SUCCESS("Compare them: /api/v1/releases/1/diff/2/ (seed 003's New Pricing vs Old).")
        )
