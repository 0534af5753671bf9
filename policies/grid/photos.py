"""Photos of an issue (on patrol, of the result, for supervision by photos): what is accepted.
The type is read from the file's first bytes, not from what the client says it is."""

from pydantic import BaseModel, ConfigDict, Field

SIGNATURES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class PhotoRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_bytes: int = Field(ge=1024, le=10_000_000)
    max_per_issue: int = Field(ge=1, le=50)
    types: list[str] = Field(min_length=1)


def photo_type(content: bytes, rules: PhotoRules) -> str | None:
    """The photo's content type, or None when it is not one of the accepted types."""
    return next((kind for kind in rules.types
                 if content.startswith(SIGNATURES.get(kind, b"\0\0\0\0"))), None)


def photo_problem(content: bytes, rules: PhotoRules, already: int) -> str | None:
    if not content:
        return "the photo is empty"
    if len(content) > rules.max_bytes:
        return f"a photo may be at most {rules.max_bytes} bytes (this one: {len(content)})"
    if photo_type(content, rules) is None:
        return f"a photo must be one of {', '.join(rules.types)}"
    if already >= rules.max_per_issue:
        return f"an issue holds at most {rules.max_per_issue} photos"
    return None
