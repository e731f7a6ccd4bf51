"""Small chained fixtures for the rates tests: a provider, its models (each with
its default variant) and the meters they are priced on."""

import pytest

from tests import factories as f


@pytest.fixture
def openai(db):
    return f.provider(slug="openai", name="OpenAI")


@pytest.fixture
def sora(openai):
    """Sora 2 Pro with its default variant and a 1080p variant (seed 003)."""
    model = f.ai_model(slug="sora-2-pro", name="Sora 2 Pro", provider=openai)
    f.variant(model=model, slug="1080p", name="1080p", resolution="1080p", sort_order=1)
    return model


@pytest.fixture
def gpt(openai):
    return f.ai_model(slug="gpt-4o-mini", name="GPT-4o mini", provider=openai, modality="text")


@pytest.fixture
def seconds(db):
    return f.meter(slug="seconds", name="Seconds", unit="second")


@pytest.fixture
def input_tokens(db):
    return f.meter(slug="input_tokens", name="Input tokens", unit="token", whole_units=True)
