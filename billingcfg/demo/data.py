"""The demo configuration: every figure of the four pricing notes in ../shared/seeds/,
as four products that share currencies, meters, providers, models and their costs.

video (seed 003, the default product): packs, subscriptions and per-second credit rates, in USD.
coaching (seed 002): TWD minute plans (one credit = one minute), the coaching hour, its GCP alerts.
sora-prompts (seed 000): prompt production on Gemini through a CNY gateway, reported in its points.
dev-flows (seed 001): PRD/UX/deploy generation on Claude, its budgets and rate limits; cost only.

Plain data only (no ORM): `billingcfg.demo.load.demo_load` writes it. Amounts are
strings so they become exact Decimals. Where a seed is ambiguous the choice is
written next to the figure. A provider cost names its supplier when that is not
the model's provider; a credit rate, workflow, offer and threshold name their product.
"""

SEED_003_DATE = "2026-01-01"  # seed 003: "Report Date: January 2026" (no day given)
SEED_001_DATE = "2026-01-01"  # seed 001 is undated; taken as of the same month
SEED_000_DATE = "2026-01-25"  # seed 000: "Last Updated: 2026-01-25"
SEED_002_DATE = "2026-02-07"  # seed 002: "最後更新: 2026-02-07"

CURRENCIES = [
    {"code": "USD", "name": "US dollar", "symbol": "$", "minor_units": 2, "is_internal": False},
    {"code": "TWD", "name": "New Taiwan dollar", "symbol": "NT$", "minor_units": 2, "is_internal": False},
    {"code": "CNY", "name": "Chinese yuan", "symbol": "¥", "minor_units": 2, "is_internal": False},
    # Seed 000's points: what its model gateway charges in, bought with CNY.
    {"code": "PTS", "name": "Gateway points", "symbol": "pts", "minor_units": 2, "is_internal": True},
]

EXCHANGE_RATES = [
    {
        "from": "USD",
        "to": "TWD",
        "from_amount": "1",
        "to_amount": "32",
        "as_of": SEED_002_DATE,
        "source": "Seed 002: 1 USD ≈ 32 TWD",
    },
    # No USD → CNY: seed 000 never converts its yuan to dollars, and its product reports in points.
    # Seed 000: "¥99 → 1,600,000 points". Kept as the two amounts, so 16,161.6161… is exact.
    {
        "from": "CNY",
        "to": "PTS",
        "from_amount": "99",
        "to_amount": "1600000",
        "as_of": SEED_000_DATE,
        "source": "Seed 000: ¥99 recharge → 1,600,000 points",
    },
]

METERS = [
    {"slug": "input_tokens", "name": "Input tokens", "unit": "token", "whole_units": True},
    {"slug": "output_tokens", "name": "Output tokens", "unit": "token", "whole_units": True},
    {"slug": "cached_input_tokens", "name": "Cached input tokens", "unit": "token", "whole_units": True},
    # Input and output together: seed 001's token rate limits and circuit breakers count both.
    {"slug": "tokens", "name": "Tokens (input + output)", "unit": "token", "whole_units": True},
    {"slug": "seconds", "name": "Seconds", "unit": "second", "whole_units": False},
    {"slug": "minutes", "name": "Minutes", "unit": "minute", "whole_units": False},
    {"slug": "hours", "name": "Hours", "unit": "hour", "whole_units": False},
    {"slug": "images", "name": "Images", "unit": "image", "whole_units": True},
    {"slug": "megapixels", "name": "Megapixels", "unit": "megapixel", "whole_units": False},
    {"slug": "requests", "name": "Requests", "unit": "request", "whole_units": True},
    {"slug": "characters", "name": "Characters", "unit": "character", "whole_units": True},
]

PROVIDERS = [
    {"slug": "openai", "name": "OpenAI", "website": "https://openai.com/api/pricing/"},
    {"slug": "google", "name": "Google", "website": "https://cloud.google.com/vertex-ai/generative-ai/pricing"},
    {"slug": "anthropic", "name": "Anthropic", "website": "https://www.anthropic.com/pricing"},
    {"slug": "elevenlabs", "name": "ElevenLabs", "website": "https://elevenlabs.io/pricing/api"},
    {"slug": "luma", "name": "Luma AI", "website": "https://lumalabs.ai/dream-machine/api/pricing"},
    {"slug": "kling", "name": "Kling AI", "website": "https://klingai.com/global/dev/pricing"},
    {"slug": "minimax", "name": "MiniMax", "website": "https://www.minimax.io/price"},
    {"slug": "replicate", "name": "Replicate", "website": "https://replicate.com/pricing"},
    # Seed 003 prices Mochi at "API providers: $0.05-$0.20/sec estimated"; fal.ai is the one it cites.
    {"slug": "fal", "name": "fal.ai", "website": "https://fal.ai/pricing"},
    {"slug": "supabase", "name": "Supabase", "website": "https://supabase.com/pricing"},
    # Seed 000 buys Gemini through a model gateway it does not name, priced in ¥ per 1M tokens
    # ("from your model pricing screenshot") and recharged in points (¥99 → 1,600,000 points).
    {
        "slug": "gateway",
        "name": "Model gateway (CNY)",
        "website": "",
        "notes": "Seed 000's gateway: ¥ per 1M tokens, paid in points bought at ¥99 for 1,600,000.",
    },
]

# Four apps, each with its own credit. Seed 003's video app is the default product: the
# unscoped API routes (/api/v1/config/, quote/, thresholds/evaluate/) serve it, as before.
PRODUCTS = [
    {
        "slug": "video",
        "name": "Video credits",
        "credit_name": "credits",
        "reporting_currency": "USD",
        # DESIGN's example target; seed 003's rates aim at ~80 % ("400% margin" is the markup).
        "target_gross_margin": "0.75",
        "target_gross_margin_high": None,
        # Seed 003 judges every rate at $0.05 a credit.
        "revenue_basis": "fixed",
        "fixed_revenue_per_credit": "0.05",
        "is_default": True,
        "sort_order": 1,
        "description": "Seed 003: a video app selling credit packs and subscriptions, charging credits per second.",
    },
    {
        "slug": "coaching",
        "name": "Coaching minutes",
        "credit_name": "minutes",
        "reporting_currency": "TWD",
        # Seed 002 §10: "目標毛利率 40-50%" (its §4 table says 30-50 %; the decision is 40-50 %).
        "target_gross_margin": "0.40",
        "target_gross_margin_high": "0.50",
        # Seed 002 designs around the 100 TWD plan (2,000 users × 100 TWD): 180 minutes for 100 TWD,
        # the highest price per minute of the three plans, is the credit its margins are judged at.
        "revenue_basis": "highest",
        "fixed_revenue_per_credit": None,
        "is_default": False,
        "sort_order": 2,
        "description": "Seed 002: a parenting-coaching app selling TWD plans of minutes (1 credit = 1 minute).",
    },
    {
        "slug": "sora-prompts",
        "name": "Sora-2Ai prompts",
        "credit_name": "points",
        "reporting_currency": "PTS",
        # Seed 000 names no margin (gross_margin is a blank to fill) and sells nothing here:
        # no margin is judged; the figure is DESIGN's example, kept for when it sells.
        "target_gross_margin": "0.75",
        "target_gross_margin_high": None,
        "revenue_basis": "lowest",
        "fixed_revenue_per_credit": None,
        "is_default": False,
        "sort_order": 3,
        "description": "Seed 000: Sora-2Ai's prompt pipeline on Gemini, costed in the gateway's points.",
    },
    {
        "slug": "dev-flows",
        "name": "Developer flows",
        "credit_name": "credits",
        "reporting_currency": "USD",
        # Seed 001 budgets cost only and sells nothing in credits: no margin is judged.
        "target_gross_margin": "0.75",
        "target_gross_margin_high": None,
        "revenue_basis": "lowest",
        "fixed_revenue_per_credit": None,
        "is_default": False,
        "sort_order": 4,
        "description": "Seed 001: PRD, UX and deploy generation on Claude, with per-run budgets and rate limits.",
    },
]


def _variant(slug, name, *, default=False, resolution="", audio=None, mode="", order=0):
    return {
        "slug": slug,
        "name": name,
        "is_default": default,
        "resolution": resolution,
        "audio": audio,
        "mode": mode,
        "sort_order": order,
    }


DEFAULT_VARIANT = [_variant("default", "Default", default=True)]

# Each model: its variants, its provider costs and its credit rates. A cost or
# rate with variant None holds for every variant of the model.
MODELS = [
    # ---- Seed 003: video, per second -------------------------------------------------
    {
        "slug": "sora-2",
        "name": "Sora 2",
        "provider": "openai",
        "modality": "video",
        "variants": [_variant("720p", "720p", default=True, resolution="720p")],
        "costs": [
            {
                "variant": "720p",
                "meter": "seconds",
                "price": "0.10",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://openai.com/api/pricing/",
                "as_of": SEED_003_DATE,
            },
        ],
        # Seed 003: "4, 8, 12 seconds (standard)"; the New-vs-Old table's 8 s default.
        "rates": [
            {
                "product": "video",
                "variant": None,
                "meter": "seconds",
                "credits": "10",
                "allowed_quantities": "4, 8, 12",
                "default_quantity": "8",
            }
        ],
    },
    {
        "slug": "sora-2-pro",
        "name": "Sora 2 Pro",
        "provider": "openai",
        "modality": "video",
        # Seed 003's worked examples price Sora 2 Pro at 1080p, so 1080p is the default.
        "variants": [
            _variant("720p", "720p", resolution="720p", order=1),
            _variant("1080p", "1080p", default=True, resolution="1080p", order=2),
        ],
        "costs": [
            {
                "variant": "720p",
                "meter": "seconds",
                "price": "0.30",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://openai.com/api/pricing/",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "1080p",
                "meter": "seconds",
                "price": "0.50",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://openai.com/api/pricing/",
                "as_of": SEED_003_DATE,
            },
        ],
        # Seed 003 lists "4, 8, 12 seconds (standard); 10, 15, 25 seconds (pro)" and
        # charges Sora 2 Pro for 8 s and 12 s in its examples: the rate allows all six.
        "rates": [
            {
                "product": "video",
                "variant": None,
                "meter": "seconds",
                "credits": "35",
                "allowed_quantities": "4, 8, 10, 12, 15, 25",
                "default_quantity": "8",
            }
        ],
    },
    # Seed 003 names the product "Luma Ray3" but its "~$0.14/sec" is Ray 2 at 720p
    # ($0.71 per 5 s video); the costs are Ray 2's table, per 5-second video.
    {
        "slug": "luma-ray-3",
        "name": "Luma Ray3",
        "provider": "luma",
        "modality": "video",
        "description": "Also priced per million pixels ($0.0064/Mpx); audio add-on $0.02/s (seed 003).",
        "variants": [
            _variant("720p", "720p", default=True, resolution="720p", order=1),
            _variant("1080p", "1080p", resolution="1080p", order=2),
            _variant("4k", "4K", resolution="4k", order=3),
        ],
        "costs": [
            {
                "variant": "720p",
                "meter": "seconds",
                "price": "0.71",
                "per_units": 5,
                "currency": "USD",
                "source_url": "https://lumalabs.ai/dream-machine/api/pricing",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "1080p",
                "meter": "seconds",
                "price": "0.86",
                "per_units": 5,
                "currency": "USD",
                "source_url": "https://lumalabs.ai/dream-machine/api/pricing",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "4k",
                "meter": "seconds",
                "price": "0.96",
                "per_units": 5,
                "currency": "USD",
                "source_url": "https://lumalabs.ai/dream-machine/api/pricing",
                "as_of": SEED_003_DATE,
            },
        ],
        # No durations in seed 003 for Luma, Kling, MiniMax, WAN or Mochi: 1–10 s, 8 s by default
        # (the New-vs-Old table charges every model for 8 s).
        "rates": [
            {
                "product": "video",
                "variant": None,
                "meter": "seconds",
                "credits": "15",
                "min_quantity": "1",
                "max_quantity": "10",
                "default_quantity": "8",
            }
        ],
    },
    {
        "slug": "luma-ray-flash-2",
        "name": "Luma Ray Flash 2",
        "provider": "luma",
        "modality": "video",
        "description": "Also priced per million pixels ($0.0022/Mpx, seed 003). Costed, not sold.",
        "variants": [
            _variant("720p", "720p", default=True, resolution="720p", order=1),
            _variant("1080p", "1080p", resolution="1080p", order=2),
        ],
        "costs": [
            {
                "variant": "720p",
                "meter": "seconds",
                "price": "0.24",
                "per_units": 5,
                "currency": "USD",
                "source_url": "https://lumalabs.ai/dream-machine/api/pricing",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "1080p",
                "meter": "seconds",
                "price": "0.39",
                "per_units": 5,
                "currency": "USD",
                "source_url": "https://lumalabs.ai/dream-machine/api/pricing",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "kling-v2-1",
        "name": "Kling v2.1",
        "provider": "kling",
        "modality": "video",
        "variants": [
            _variant("standard", "Standard", default=True, mode="standard", order=1),
            _variant("pro", "Pro", mode="pro", order=2),
        ],
        # Seed 003: 5 s for $0.28 / $0.49 (10 s is exactly twice that).
        "costs": [
            {
                "variant": "standard",
                "meter": "seconds",
                "price": "0.28",
                "per_units": 5,
                "currency": "USD",
                "source_url": "https://klingai.com/global/dev/pricing",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "pro",
                "meter": "seconds",
                "price": "0.49",
                "per_units": 5,
                "currency": "USD",
                "source_url": "https://klingai.com/global/dev/pricing",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [
            {
                "product": "video",
                "variant": None,
                "meter": "seconds",
                "credits": "8",
                "min_quantity": "1",
                "max_quantity": "10",
                "default_quantity": "8",
            }
        ],
    },
    {
        "slug": "kling-v2-5-turbo",
        "name": "Kling v2.5 Turbo",
        "provider": "kling",
        "modality": "video",
        "description": "Costed, not sold.",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "seconds",
                "price": "0.07",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://fal.ai/pricing",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [],
    },
    # Seed 003 charges "8-second Veo 3 with audio" ($6.00 API cost): audio is the default.
    {
        "slug": "veo-3",
        "name": "Veo 3",
        "provider": "google",
        "modality": "video",
        "variants": [
            _variant("audio", "With audio", default=True, audio=True, order=1),
            _variant("no-audio", "Without audio", audio=False, order=2),
        ],
        "costs": [
            {
                "variant": "audio",
                "meter": "seconds",
                "price": "0.75",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://costgoat.com/pricing/google-veo",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "no-audio",
                "meter": "seconds",
                "price": "0.50",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://costgoat.com/pricing/google-veo",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [
            {
                "product": "video",
                "variant": None,
                "meter": "seconds",
                "credits": "60",
                "allowed_quantities": "4, 6, 8",
                "default_quantity": "8",
            }
        ],
    },
    {
        "slug": "veo-3-1-fast",
        "name": "Veo 3.1 Fast",
        "provider": "google",
        "modality": "video",
        "description": "Costed, not sold.",
        "variants": [_variant("no-audio", "Without audio", default=True, audio=False)],
        "costs": [
            {
                "variant": None,
                "meter": "seconds",
                "price": "0.10",
                "price_high": "0.15",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://costgoat.com/pricing/google-veo",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "veo-3-1",
        "name": "Veo 3.1 Standard",
        "provider": "google",
        "modality": "video",
        "description": "Costed, not sold.",
        "variants": [_variant("no-audio", "Without audio", default=True, audio=False)],
        "costs": [
            {
                "variant": None,
                "meter": "seconds",
                "price": "0.40",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://costgoat.com/pricing/google-veo",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "minimax-hailuo-02",
        "name": "MiniMax Hailuo-02",
        "provider": "minimax",
        "modality": "video",
        "description": "Seed 003 also quotes 768p 10 s at ~$0.45 (the same $0.045/s).",
        "variants": [
            _variant("768p", "768p", default=True, resolution="768p", order=1),
            _variant("1080p", "1080p", resolution="1080p", order=2),
        ],
        "costs": [
            {
                "variant": "768p",
                "meter": "seconds",
                "price": "0.27",
                "per_units": 6,
                "currency": "USD",
                "source_url": "https://www.minimax.io/price",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "1080p",
                "meter": "seconds",
                "price": "0.48",
                "per_units": 6,
                "currency": "USD",
                "source_url": "https://www.minimax.io/price",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [
            {
                "product": "video",
                "variant": None,
                "meter": "seconds",
                "credits": "5",
                "min_quantity": "1",
                "max_quantity": "10",
                "default_quantity": "8",
            }
        ],
    },
    # Seed 003 sells "WAN Draft (480p)" at 2 credits/s and "WAN Pro (720p)" at 5.
    # Its margin column prices them at $0.05/s (WAN 2.5) and $0.09/s, but its own
    # cost table says WAN 2.1 costs $0.09/s at 480p and $0.25/s at 720p: each
    # variant is costed at its own table row, which shows both below target.
    {
        "slug": "wan-2-1",
        "name": "WAN 2.1",
        "provider": "replicate",
        "modality": "video",
        "variants": [
            _variant("480p", "480p (WAN Draft)", default=True, resolution="480p", order=1),
            _variant("720p", "720p (WAN Pro)", resolution="720p", order=2),
        ],
        "costs": [
            {
                "variant": "480p",
                "meter": "seconds",
                "price": "0.09",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://replicate.com/pricing",
                "as_of": SEED_003_DATE,
            },
            {
                "variant": "720p",
                "meter": "seconds",
                "price": "0.25",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://replicate.com/pricing",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [
            {
                "product": "video",
                "variant": "480p",
                "meter": "seconds",
                "credits": "2",
                "min_quantity": "1",
                "max_quantity": "10",
                "default_quantity": "8",
            },
            {
                "product": "video",
                "variant": "720p",
                "meter": "seconds",
                "credits": "5",
                "min_quantity": "1",
                "max_quantity": "10",
                "default_quantity": "8",
            },
        ],
    },
    {
        "slug": "wan-2-5",
        "name": "WAN 2.5",
        "provider": "replicate",
        "modality": "video",
        "description": "Costed, not sold.",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "seconds",
                "price": "0.05",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://replicate.com/pricing",
                "as_of": SEED_003_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "mochi-1",
        "name": "Mochi 1",
        "provider": "fal",
        "modality": "video",
        "description": "Self-hosted is free on 4× H100; the Genmo platform charges ~100 of its credits a video.",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "seconds",
                "price": "0.05",
                "price_high": "0.20",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://www.genmo.ai/blog/mochi-1-a-new-sota-in-open-text-to-video",
                "as_of": SEED_003_DATE,
                "notes": "Seed 003: an estimate across API providers.",
            },
        ],
        "rates": [
            {
                "product": "video",
                "variant": None,
                "meter": "seconds",
                "credits": "10",
                "min_quantity": "1",
                "max_quantity": "10",
                "default_quantity": "8",
            }
        ],
    },
    # ---- Seed 002: the coaching session's services, in USD ----------------------------
    {
        "slug": "scribe-v2-realtime",
        "name": "ElevenLabs Scribe v2 Realtime",
        "provider": "elevenlabs",
        "modality": "speech_to_text",
        "variants": [
            _variant("standard", "Standard", default=True, mode="standard", order=1),
            _variant("enterprise", "Enterprise", mode="enterprise", order=2),
        ],
        "costs": [
            {
                "variant": "standard",
                "meter": "hours",
                "price": "0.40",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://elevenlabs.io/pricing/api",
                "as_of": SEED_002_DATE,
            },
            # Seed 002 §9: the Enterprise price is a contract to negotiate (需談合約): a negotiated
            # cost, which a price-list import never overwrites.
            {
                "variant": "enterprise",
                "meter": "hours",
                "price": "0.22",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://elevenlabs.io/pricing/api",
                "as_of": SEED_002_DATE,
                "negotiated": True,
                "notes": "Seed 002: ElevenLabs Enterprise, $0.22/hr (standard $0.40/hr).",
            },
        ],
        "rates": [],
    },
    {
        "slug": "gemini-flash-lite-latest",
        "name": "Gemini Flash Lite",
        "provider": "google",
        "modality": "text",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "0.10",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://cloud.google.com/vertex-ai/generative-ai/pricing",
                "as_of": SEED_002_DATE,
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "price": "0.40",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://cloud.google.com/vertex-ai/generative-ai/pricing",
                "as_of": SEED_002_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "gemini-3-flash-preview",
        "name": "Gemini 3 Flash (preview)",
        "provider": "google",
        "modality": "text",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "0.50",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://www.glbgpt.com/hub/how-much-does-the-gemini-3-flash-cost/",
                "as_of": SEED_002_DATE,
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "price": "3.00",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://www.glbgpt.com/hub/how-much-does-the-gemini-3-flash-cost/",
                "as_of": SEED_002_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "text-embedding-3-small",
        "name": "text-embedding-3-small",
        "provider": "openai",
        "modality": "embedding",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "0.02",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://openai.com/pricing",
                "as_of": SEED_002_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "cloud-run",
        "name": "Cloud Run (1 vCPU, 512 MB)",
        "provider": "google",
        "modality": "infrastructure",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "hours",
                "price": "0.05",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://cloud.google.com/run/pricing",
                "as_of": SEED_002_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "supabase-db",
        "name": "Supabase database",
        "provider": "supabase",
        "modality": "infrastructure",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "hours",
                "price": "0.001",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://supabase.com/pricing",
                "as_of": SEED_002_DATE,
                "notes": "Seed 002: ~$0.001/hr of reads and writes; Supabase Pro's $25/month is a fixed cost.",
            },
        ],
        "rates": [],
    },
    {
        "slug": "network-egress",
        "name": "Network egress",
        "provider": "google",
        "modality": "infrastructure",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "hours",
                "price": "0.001",
                "per_units": 1,
                "currency": "USD",
                "source_url": "https://cloud.google.com/run/pricing",
                "as_of": SEED_002_DATE,
            },
        ],
        "rates": [],
    },
    # ---- Seed 000: Gemini through the CNY points gateway, as price bands --------------
    # Gemini 2.5 Flash has two suppliers: Google at $0.30 / $2.50 per 1M (seed 002, its primary
    # supplier) and seed 000's gateway at ¥0.3–0.6 / ¥0.6–1.2 per 1M. Seed 000's steps name the gateway.
    {
        "slug": "gemini-2-5-flash",
        "name": "Gemini 2.5 Flash",
        "provider": "google",
        "modality": "text",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "0.30",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://ai.google.dev/gemini-api/docs/pricing",
                "as_of": SEED_002_DATE,
                "notes": "Seed 002: Gemini 2.5 Flash (備選), $0.30 per 1M input.",
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "price": "2.50",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://ai.google.dev/gemini-api/docs/pricing",
                "as_of": SEED_002_DATE,
                "notes": "Seed 002: Gemini 2.5 Flash (備選), $2.50 per 1M output.",
            },
            {
                "variant": None,
                "meter": "input_tokens",
                "supplier": "gateway",
                "price": "0.3",
                "price_high": "0.6",
                "per_units": 1_000_000,
                "currency": "CNY",
                "as_of": SEED_000_DATE,
                "notes": "Seed 000: ¥0.3 ~ 0.6 per 1M (gateway price list); its example takes ¥0.45.",
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "supplier": "gateway",
                "price": "0.6",
                "price_high": "1.2",
                "per_units": 1_000_000,
                "currency": "CNY",
                "as_of": SEED_000_DATE,
                "notes": "Seed 000: ¥0.6 ~ 1.2 per 1M (gateway price list); its example takes ¥0.9.",
            },
        ],
        "rates": [],
    },
    # Seed 000 buys Gemini 3 Flash and 3 Pro only through the gateway: it is their primary supplier.
    {
        "slug": "gemini-3-flash",
        "name": "Gemini 3 Flash",
        "provider": "google",
        "primary_supplier": "gateway",
        "modality": "text",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "supplier": "gateway",
                "price": "0.25",
                "price_high": "0.5",
                "per_units": 1_000_000,
                "currency": "CNY",
                "as_of": SEED_000_DATE,
                "notes": "Seed 000: ¥0.25 ~ 0.5 per 1M (gateway price list); its example takes ¥0.375.",
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "supplier": "gateway",
                "price": "1.5",
                "price_high": "3",
                "per_units": 1_000_000,
                "currency": "CNY",
                "as_of": SEED_000_DATE,
                "notes": "Seed 000: ¥1.5 ~ 3 per 1M (gateway price list); its example takes ¥2.25.",
            },
        ],
        "rates": [],
    },
    {
        "slug": "gemini-3-pro",
        "name": "Gemini 3 Pro",
        "provider": "google",
        "primary_supplier": "gateway",
        "modality": "text",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "supplier": "gateway",
                "price": "1",
                "price_high": "2",
                "per_units": 1_000_000,
                "currency": "CNY",
                "as_of": SEED_000_DATE,
                "notes": "Seed 000: ¥1 ~ 2 per 1M (gateway price list); its example takes ¥1.5.",
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "supplier": "gateway",
                "price": "6",
                "price_high": "12",
                "per_units": 1_000_000,
                "currency": "CNY",
                "as_of": SEED_000_DATE,
                "notes": "Seed 000: ¥6 ~ 12 per 1M (gateway price list); its example takes ¥9.",
            },
        ],
        "rates": [],
    },
    # ---- Seed 001: Claude and GPT, USD per 1M tokens ---------------------------------
    {
        "slug": "claude-3-5-sonnet",
        "name": "Claude 3.5 Sonnet",
        "provider": "anthropic",
        "modality": "text",
        "description": "Production model (claude-3-5-sonnet-20241022).",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "3.00",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://www.anthropic.com/pricing",
                "as_of": SEED_001_DATE,
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "price": "15.00",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://www.anthropic.com/pricing",
                "as_of": SEED_001_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "claude-3-haiku",
        "name": "Claude 3 Haiku",
        "provider": "anthropic",
        "modality": "text",
        "description": "Budget model (claude-3-haiku-20240307), the fallback at high volume.",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "0.25",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://www.anthropic.com/pricing",
                "as_of": SEED_001_DATE,
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "price": "1.25",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://www.anthropic.com/pricing",
                "as_of": SEED_001_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "gpt-4-turbo",
        "name": "GPT-4 Turbo",
        "provider": "openai",
        "modality": "text",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "10.00",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://openai.com/api/pricing/",
                "as_of": SEED_001_DATE,
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "price": "30.00",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://openai.com/api/pricing/",
                "as_of": SEED_001_DATE,
            },
        ],
        "rates": [],
    },
    {
        "slug": "gpt-3-5-turbo",
        "name": "GPT-3.5 Turbo",
        "provider": "openai",
        "modality": "text",
        "variants": DEFAULT_VARIANT,
        "costs": [
            {
                "variant": None,
                "meter": "input_tokens",
                "price": "0.50",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://openai.com/api/pricing/",
                "as_of": SEED_001_DATE,
            },
            {
                "variant": None,
                "meter": "output_tokens",
                "price": "1.50",
                "per_units": 1_000_000,
                "currency": "USD",
                "source_url": "https://openai.com/api/pricing/",
                "as_of": SEED_001_DATE,
            },
        ],
        "rates": [],
    },
]


def _step(label, model, meter, quantity, *, probability="1", multiplier="1", variant=None, supplier=None, notes=""):
    return {
        "label": label,
        "model": model,
        "variant": variant,
        "supplier": supplier,
        "meter": meter,
        "quantity": quantity,
        "probability": probability,
        "multiplier": multiplier,
        "notes": notes,
    }


def _seed_001_steps(prefix, input_tokens, output_tokens, revision_factor, model="claude-3-5-sonnet"):
    return [
        _step(f"{prefix}: input", model, "input_tokens", input_tokens, multiplier=revision_factor),
        _step(f"{prefix}: output", model, "output_tokens", output_tokens, multiplier=revision_factor),
    ]


# Seed 001 gives ranges; the steps take the figures its own cost breakdowns use
# (PRD 1,000 in / 4,000 out; UX 4,500 / 5,000). Deploy has no breakdown: the
# midpoints of its ranges, 350 in (200–500) and 1,500 out (1,000–2,000).
PRD_STEPS = _seed_001_steps("PRD", "1000", "4000", "1.5")
UX_STEPS = _seed_001_steps("UX", "4500", "5000", "1.3")
DEPLOY_STEPS = _seed_001_steps("Deploy", "350", "1500", "1.1")


def _project_steps(model):
    """Seed 001's complete flow (PRD, UX, deploy) with the same tokens on another of its models."""
    return [
        *_seed_001_steps("PRD", "1000", "4000", "1.5", model),
        *_seed_001_steps("UX", "4500", "5000", "1.3", model),
        *_seed_001_steps("Deploy", "350", "1500", "1.1", model),
    ]


# Seed 002's coaching hour: speech to text, an emotion call every 3 s, one report, one embedding, the
# hour's infrastructure. The report and the standard speech-to-text price are given as parameters:
# the sold hour and seed 002 §9's optimised hour differ only in those.
def _coaching_hour_steps(*, speech_variant, report_model, report_notes=""):
    return [
        _step("Speech to text", "scribe-v2-realtime", "hours", "1", variant=speech_variant),
        _step(
            "Emotion calls: input (1,200 × 750 tokens)",
            "gemini-flash-lite-latest",
            "input_tokens",
            "750",
            multiplier="1200",
        ),
        _step(
            "Emotion calls: output (1,200 × 20 tokens)",
            "gemini-flash-lite-latest",
            "output_tokens",
            "20",
            multiplier="1200",
        ),
        _step("Report: input", report_model, "input_tokens", "55500", notes=report_notes),
        _step("Report: output", report_model, "output_tokens", "2100", notes=report_notes),
        # Seed 002 gives the embedding as "~$0.001" a session: 50,000 tokens (the
        # transcript's size) at $0.02 per 1M is exactly that.
        _step("RAG embedding", "text-embedding-3-small", "input_tokens", "50000"),
        _step("Cloud Run", "cloud-run", "hours", "1"),
        _step("Supabase database", "supabase-db", "hours", "1"),
        _step("Network egress", "network-egress", "hours", "1"),
    ]


def _gateway_call(prefix, model, input_tokens, output_tokens, *, probability="1"):
    """One of seed 000's Gemini calls, on the gateway's CNY price list."""
    return [
        _step(f"{prefix} (input)", model, "input_tokens", input_tokens, probability=probability, supplier="gateway"),
        _step(f"{prefix} (output)", model, "output_tokens", output_tokens, probability=probability, supplier="gateway"),
    ]


# Seed 000 §2.3's worked example: Step A 300 in / 700 out on 2.5 Flash, Step B 400 / 800 on 3 Flash,
# Step C 600 / 1,200 on 3 Pro.
STEP_A = ("Step A: generate", "gemini-2-5-flash", "300", "700")
STEP_B = ("Step B: refine", "gemini-3-flash", "400", "800")
STEP_C = ("Step C: escalate", "gemini-3-pro", "600", "1200")

WORKFLOWS = [
    # Seed 002: one hour of a coaching session, sold by the minute. 1 credit = 1 minute (方案 C), so 60 an hour.
    {
        "slug": "coaching-session-hour",
        "name": "Coaching session hour",
        "product": "coaching",
        "unit_label": "session hour",
        "credits_per_unit": "60",
        "description": "Seed 002: speech to text for the hour, an emotion call every 3 s, one report, "
        "one embedding, and the hour's infrastructure.",
        "steps": _coaching_hour_steps(speech_variant="standard", report_model="gemini-3-flash-preview"),
    },
    # Seed 002 §9's short-term optimisations, costed, not sold: ElevenLabs Enterprise ($0.22/hr, a
    # contract to negotiate) and the report on Gemini 2.5 Flash from Google. Seed: "~$0.40/hr".
    {
        "slug": "coaching-session-hour-optimised",
        "name": "Coaching session hour, optimised",
        "product": "coaching",
        "unit_label": "session hour",
        "credits_per_unit": None,
        "description": "Seed 002 §9: the hour after its optimisations (Enterprise speech to text, the report "
        "on Gemini 2.5 Flash), ~$0.40/hr against $0.59; the 100 TWD plan's margin would rise to 62 %.",
        "steps": _coaching_hour_steps(
            speech_variant="enterprise",
            report_model="gemini-2-5-flash",
            report_notes="Seed 002 §9: Report 改用 Gemini 2.5 Flash (需驗證品質).",
        ),
    },
    # Seed 000: one produced prompt. Step A always; Step B on p_refine (0.10–0.30: the midpoint 0.2);
    # Step C on p_escalate (0.01–0.05: the midpoint 0.03). Costed on the gateway, in points; not sold.
    {
        "slug": "prompt-production",
        "name": "One prompt",
        "product": "sora-prompts",
        "unit_label": "prompt",
        "credits_per_unit": None,
        "description": "Seed 000 §2.1: C_prompt = c25f + p_refine·c3f + p_escalate·c3p, about 24.3 points at "
        "mid-range prices. Step B's k variants are one call, as in the seed's example.",
        "steps": [
            *_gateway_call(*STEP_A),
            *_gateway_call(*STEP_B, probability="0.2"),
            *_gateway_call(*STEP_C, probability="0.03"),
        ],
    },
    # Seed 000 §2.3's "points per call": each step's call on its own (12.4, 31.5 and 189 points mid-range).
    *(
        {
            "slug": slug,
            "name": name,
            "product": "sora-prompts",
            "unit_label": "call",
            "credits_per_unit": None,
            "description": f"Seed 000 §2.3: one call, {step[2]} tokens in and {step[3]} out, "
            f"about {points} points at mid-range prices.",
            "steps": _gateway_call(*step),
        }
        for slug, name, step, points in (
            ("prompt-call-2-5-flash", "Step A call (Gemini 2.5 Flash)", STEP_A, "12.4"),
            ("prompt-call-3-flash", "Step B call (Gemini 3 Flash)", STEP_B, "31.5"),
            ("prompt-call-3-pro", "Step C call (Gemini 3 Pro)", STEP_C, "189"),
        )
    ),
    # Seed 001 budgets cost only; these are not sold in credits. The multiplier is the revision factor.
    {
        "slug": "prd",
        "name": "PRD generation",
        "product": "dev-flows",
        "unit_label": "PRD",
        "credits_per_unit": None,
        "description": "Seed 001: revision factor 1.5.",
        "steps": PRD_STEPS,
    },
    {
        "slug": "ux",
        "name": "UX generation",
        "product": "dev-flows",
        "unit_label": "UX spec",
        "credits_per_unit": None,
        "description": "Seed 001: revision factor 1.3.",
        "steps": UX_STEPS,
    },
    {
        "slug": "deploy",
        "name": "Deploy generation",
        "product": "dev-flows",
        "unit_label": "deploy",
        "credits_per_unit": None,
        "description": "Seed 001: revision factor 1.1.",
        "steps": DEPLOY_STEPS,
    },
    {
        "slug": "project",
        "name": "Complete project flow",
        "product": "dev-flows",
        "unit_label": "project",
        "credits_per_unit": None,
        "description": "Seed 001: PRD, UX and deploy in one flow on Claude 3.5 Sonnet.",
        "steps": PRD_STEPS + UX_STEPS + DEPLOY_STEPS,
    },
    # Seed 001's price bands compare the flow on its budget option and on OpenAI's two models.
    *(
        {
            "slug": f"project-{model}",
            "name": f"Complete project flow on {name}",
            "product": "dev-flows",
            "unit_label": "project",
            "credits_per_unit": None,
            "description": f"Seed 001: the same flow on {name}; the seed's own estimate is {seed}.",
            "steps": _project_steps(model),
        }
        for model, name, seed in (
            ("claude-3-haiku", "Claude 3 Haiku", "$0.025-$0.035"),
            ("gpt-4-turbo", "GPT-4 Turbo", "$0.360-$0.484"),
            ("gpt-3-5-turbo", "GPT-3.5 Turbo", "$0.020-$0.030"),
        )
    ),
]

CREDIT_PACKS = [
    {
        "product": "video",
        "slug": "starter",
        "name": "Starter",
        "credits": 250,
        "price": "15",
        "currency": "USD",
        "sort_order": 1,
    },
    {
        "product": "video",
        "slug": "booster",
        "name": "Booster",
        "credits": 500,
        "price": "28",
        "currency": "USD",
        "sort_order": 2,
    },
    {
        "product": "video",
        "slug": "pro",
        "name": "Pro",
        "credits": 1000,
        "price": "52",
        "currency": "USD",
        "sort_order": 3,
    },
    {
        "product": "video",
        "slug": "studio",
        "name": "Studio",
        "credits": 2500,
        "price": "120",
        "currency": "USD",
        "sort_order": 4,
    },
]

SUBSCRIPTION_PLANS = [
    {
        "slug": "explorer",
        "product": "video",
        "name": "Explorer",
        "price": "19",
        "currency": "USD",
        "interval": "month",
        "credits_per_interval": 400,
        "sort_order": 1,
    },
    {
        "slug": "creator",
        "product": "video",
        "name": "Creator",
        "price": "59",
        "currency": "USD",
        "interval": "month",
        "credits_per_interval": 1500,
        "sort_order": 2,
    },
    {
        "slug": "agency",
        "product": "video",
        "name": "Agency",
        "price": "179",
        "currency": "USD",
        "interval": "month",
        "credits_per_interval": 5000,
        "sort_order": 3,
    },
    # Seed 002's plans (方案 C) sell the coaching product's credit, one minute, with their overage
    # prices (TWD a minute over the plan); each plan's usage is the coaching hour.
    {
        "slug": "coach-basic",
        "product": "coaching",
        "name": "Coaching Basic",
        "price": "100",
        "currency": "TWD",
        "interval": "month",
        "credits_per_interval": 180,
        "overage_price_per_credit": "0.8",
        "usage_workflow": "coaching-session-hour",
        "sort_order": 11,
    },
    {
        "slug": "coach-standard",
        "product": "coaching",
        "name": "Coaching Standard",
        "price": "300",
        "currency": "TWD",
        "interval": "month",
        "credits_per_interval": 600,
        "overage_price_per_credit": "0.6",
        "usage_workflow": "coaching-session-hour",
        "sort_order": 12,
    },
    {
        "slug": "coach-pro",
        "product": "coaching",
        "name": "Coaching Pro",
        "price": "500",
        "currency": "TWD",
        "interval": "month",
        "credits_per_interval": 1200,
        "overage_price_per_credit": "0.5",
        "usage_workflow": "coaching-session-hour",
        "sort_order": 13,
    },
]


def _threshold(
    slug,
    name,
    *,
    product,
    scope,
    window,
    limit,
    metric,
    currency=None,
    meter=None,
    provider=None,
    model=None,
    tier="",
    actions=(),
    description="",
):
    return {
        "slug": slug,
        "name": name,
        "product": product,
        "scope": scope,
        "window": window,
        "limit": limit,
        "metric": metric,
        "currency": currency,
        "meter": meter,
        "provider": provider,
        "model": model,
        "tier": tier,
        "actions": list(actions),
        "description": description,
    }


ALERT_THRESHOLDS = [
    # Seed 002 §8.1: the monthly GCP budget of $5,000, one threshold per level.
    _threshold(
        "budget-50",
        "Monthly budget: reminder (50%)",
        product="coaching",
        scope="system",
        window="month",
        limit="2500",
        metric="money",
        currency="USD",
        actions=["email"],
    ),
    _threshold(
        "budget-75",
        "Monthly budget: warning (75%)",
        product="coaching",
        scope="system",
        window="month",
        limit="3750",
        metric="money",
        currency="USD",
        actions=["slack", "review"],
    ),
    _threshold(
        "budget-100",
        "Monthly budget: hard cap (100%)",
        product="coaching",
        scope="system",
        window="month",
        limit="5000",
        metric="money",
        currency="USD",
        actions=["throttle"],
    ),
    # Seed 002 §8.2: per-service monthly caps. The seed states the caps, not the
    # action: an email, then throttling, as at the budget's hard cap.
    _threshold(
        "cap-elevenlabs-hours",
        "ElevenLabs monthly cap",
        product="coaching",
        scope="provider",
        provider="elevenlabs",
        window="month",
        limit="4000",
        metric="meter",
        meter="hours",
        actions=["email", "throttle"],
        description="2,000 users × 2 h average; ~$1,600.",
    ),
    _threshold(
        "cap-emotion-calls",
        "Gemini emotion calls monthly cap",
        product="coaching",
        scope="model",
        model="gemini-flash-lite-latest",
        window="month",
        limit="2400000",
        metric="meter",
        meter="requests",
        actions=["email", "throttle"],
        description="~$200.",
    ),
    _threshold(
        "cap-report-calls",
        "Gemini report calls monthly cap",
        product="coaching",
        scope="model",
        model="gemini-3-flash-preview",
        window="month",
        limit="4000",
        metric="meter",
        meter="requests",
        actions=["email", "throttle"],
        description="2,000 users × 2 reports; ~$140.",
    ),
    _threshold(
        "cap-cloud-run",
        "Cloud Run monthly cap",
        product="coaching",
        scope="model",
        model="cloud-run",
        window="month",
        limit="200",
        metric="money",
        currency="USD",
        actions=["email", "throttle"],
    ),
    # Seed 002 §8.3: anomaly rules. The hours are coaching (speech-to-text) hours;
    # the emotion-call rule is per user (one session makes 1,200 calls an hour).
    _threshold(
        "anomaly-user-hours-day",
        "One user over 3 h a day",
        product="coaching",
        scope="user",
        model="scribe-v2-realtime",
        window="day",
        limit="3",
        metric="meter",
        meter="hours",
        actions=["review"],
    ),
    _threshold(
        "anomaly-user-hours-month",
        "One user over 10 h a month",
        product="coaching",
        scope="user",
        model="scribe-v2-realtime",
        window="month",
        limit="10",
        metric="meter",
        meter="hours",
        actions=["throttle", "notify_user"],
    ),
    _threshold(
        "anomaly-emotion-calls-hour",
        "Emotion calls over 1,500 an hour",
        product="coaching",
        scope="user",
        model="gemini-flash-lite-latest",
        window="hour",
        limit="1500",
        metric="meter",
        meter="requests",
        actions=["rate_limit"],
    ),
    _threshold(
        "anomaly-elevenlabs-spend-day",
        "ElevenLabs over $100 a day",
        product="coaching",
        scope="provider",
        provider="elevenlabs",
        window="day",
        limit="100",
        metric="money",
        currency="USD",
        actions=["email"],
    ),
    # Seed 001: alert thresholds.
    _threshold(
        "user-spend-alert",
        "User spend alert",
        product="dev-flows",
        scope="user",
        window="month",
        limit="5",
        metric="money",
        currency="USD",
        actions=["email"],
    ),
    _threshold(
        "system-spend-alert",
        "System spend alert",
        product="dev-flows",
        scope="system",
        window="day",
        limit="100",
        metric="money",
        currency="USD",
        actions=["email"],
    ),
    # "Switch to budget model at high volume": the seed names no volume; $250 a day
    # on Sonnet, between its $100 alert and its $500 disable.
    _threshold(
        "sonnet-high-volume",
        "Sonnet at high volume",
        product="dev-flows",
        scope="model",
        model="claude-3-5-sonnet",
        window="day",
        limit="250",
        metric="money",
        currency="USD",
        actions=[("switch_model", "claude-3-haiku")],
    ),
    _threshold(
        "system-spend-disable",
        "Disable the service",
        product="dev-flows",
        scope="system",
        window="day",
        limit="500",
        metric="money",
        currency="USD",
        actions=["pause"],
    ),
    # Seed 001: rate limits by tier.
    _threshold(
        "free-requests-hour",
        "Free tier: requests an hour",
        product="dev-flows",
        scope="user",
        tier="free",
        window="hour",
        limit="10",
        metric="meter",
        meter="requests",
        actions=["rate_limit", "queue"],
    ),
    _threshold(
        "free-tokens-day",
        "Free tier: tokens a day",
        product="dev-flows",
        scope="user",
        tier="free",
        window="day",
        limit="50000",
        metric="meter",
        meter="tokens",
        actions=["rate_limit"],
    ),
    _threshold(
        "paid-requests-hour",
        "Paid tier: requests an hour",
        product="dev-flows",
        scope="user",
        tier="paid",
        window="hour",
        limit="100",
        metric="meter",
        meter="requests",
        actions=["rate_limit", "queue"],
    ),
    _threshold(
        "paid-tokens-day",
        "Paid tier: tokens a day",
        product="dev-flows",
        scope="user",
        tier="paid",
        window="day",
        limit="500000",
        metric="meter",
        meter="tokens",
        actions=["rate_limit"],
    ),
    # Seed 001: circuit breakers, with its fallbacks (cached responses, then pause) on the system one.
    _threshold(
        "breaker-user-requests-day",
        "Circuit breaker: requests per user a day",
        product="dev-flows",
        scope="user",
        window="day",
        limit="100",
        metric="meter",
        meter="requests",
        actions=["block"],
    ),
    _threshold(
        "breaker-user-tokens-day",
        "Circuit breaker: tokens per user a day",
        product="dev-flows",
        scope="user",
        window="day",
        limit="100000",
        metric="meter",
        meter="tokens",
        actions=["block"],
    ),
    _threshold(
        "breaker-user-spend-month",
        "Circuit breaker: spend per user a month",
        product="dev-flows",
        scope="user",
        window="month",
        limit="10",
        metric="money",
        currency="USD",
        actions=["block"],
    ),
    _threshold(
        "breaker-system-spend-day",
        "Circuit breaker: system spend a day",
        product="dev-flows",
        scope="system",
        window="day",
        limit="1000",
        metric="money",
        currency="USD",
        actions=["serve_cached", "pause"],
    ),
]

# LiteLLM's names for models whose slugs differ (rates.PriceListAlias): the price-list
# import (python manage.py import_price_map) prices these models from these entries.
PRICE_LIST_ALIASES = [
    # LiteLLM's Veo 3 price ($0.75/s) is the with-audio one.
    {
        "name": "gemini/veo-3.0-generate-preview",
        "model": "veo-3",
        "variant": "audio",
        "notes": "Gemini API's Veo 3 price is with audio.",
    },
    {"name": "gemini/veo-3.1-generate-preview", "model": "veo-3-1", "variant": None, "notes": ""},
    {"name": "gemini/veo-3.1-fast-generate-preview", "model": "veo-3-1-fast", "variant": None, "notes": ""},
    {
        "name": "claude-3-5-sonnet-20241022",
        "model": "claude-3-5-sonnet",
        "variant": None,
        "notes": "The production model's dated name.",
    },
    {
        "name": "claude-3-haiku-20240307",
        "model": "claude-3-haiku",
        "variant": None,
        "notes": "The budget model's dated name.",
    },
]

# Which of our suppliers a LiteLLM entry's `litellm_provider` is (rates.PriceListSupplier): the
# price-list import takes an entry as a supplier's cost only through these, and only for a model
# that supplier sells us. A reseller's entries (deepinfra/…, kyma/…) map to no supplier of ours.
PRICE_LIST_SUPPLIERS = [
    {"pattern": "gemini", "supplier": "google", "notes": "The Gemini API's own prices."},
    {"pattern": "vertex_ai-*", "supplier": "google", "notes": "Vertex AI's price lists (language, video, image …)."},
    {"pattern": "openai", "supplier": "openai", "notes": ""},
    {"pattern": "anthropic", "supplier": "anthropic", "notes": ""},
    {"pattern": "elevenlabs", "supplier": "elevenlabs", "notes": ""},
]
