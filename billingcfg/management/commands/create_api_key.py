"""`python manage.py create_api_key NAME --product SLUG [--product SLUG …] [--scope config:read --scope draft:read]`
or `… NAME --all-products`: make an API key for a backend service and print it, once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from billingcfg.management.commands.publish import user_named
from billingcfg.release_models import ApiKey, ApiScope
from billingcfg.releases.api_keys import api_key_issue, products_named


class Command(BaseCommand):
    help = (
        "Make an API key and print it once (only its hash is stored), then its prefix, by which the admin "
        "and the logs name it. Send it as 'Authorization: Api-Key <key>'. A key reads the products named "
        "with --product (a backend: its own app), or every product and the whole configuration with "
        "--all-products (staff tools)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who uses it: 'checkout service (production)'.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=ApiScope.values,
            help=f"What the key may read; repeat for more. Default: {ApiScope.CONFIG_READ}.",
        )
        parser.add_argument(
            "--product",
            action="append",
            dest="products",
            metavar="SLUG",
            help="A product the key may read (its config, quotes and thresholds); repeat for more.",
        )
        parser.add_argument(
            "--all-products",
            action="store_true",
            help="The key reads every product and the whole configuration (releases, diffs, the draft).",
        )
        parser.add_argument("--user", help="The username recorded as the key's creator.")

    def handle(
        self,
        *args,
        name: str,
        scopes: list[str] | None,
        products: list[str] | None,
        all_products: bool,
        user: str | None,
        **options,
    ) -> None:
        api_key = ApiKey(name=name, scopes=sorted(set(scopes or [ApiScope.CONFIG_READ])), all_products=all_products)
        try:
            named = products_named(products or ())
            key = api_key_issue(api_key, user=user_named(user), products=named)
        except ValidationError as invalid:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(errors)}" for field, errors in invalid.message_dict.items())
            ) from None
        self.stdout.write(key)
        reads = "all products" if api_key.all_products else "products " + ", ".join(p.slug for p in named)
        self.stdout.write(
            f"prefix {api_key.prefix}, scopes {', '.join(api_key.scopes)}, reads {reads}. "
            "Copy the key above now: it is not stored and cannot be shown again."
        )
