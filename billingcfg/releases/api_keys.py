"""API keys: issued (the full key returned once, only its hash stored) and revoked."""

from datetime import datetime

from billingcfg.release_models import ApiKey


def api_key_issue(api_key: ApiKey, *, user=None) -> str:
    """Store the unsaved `api_key` (its name and scopes set) with a new key, of
    which only the hash is kept; return the full key, to be shown once."""
    key, api_key.prefix, api_key.hashed_key = ApiKey.generate()
    api_key.created_by = user if user is not None and user.pk else None
    api_key.full_clean()
    api_key.save()
    return key


def api_key_revoke(api_key: ApiKey, *, at: datetime) -> bool:
    """Revoke a key from `at` on; False when it was revoked already (its time is kept)."""
    if api_key.revoked_at is not None:
        return False
    api_key.revoked_at = at
    api_key.save(update_fields=["revoked_at"])
    return True
